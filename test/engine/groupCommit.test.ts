import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { GroupCommit } from '../../src/store/groupCommit.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { testStore } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

/** Each task creates an organisation named after it; "bad" ones create theirs and then throw. */
describe('GroupCommit', () => {
  let store: Store;
  let drop: () => Promise<void>;
  const transactions: number[] = [];

  beforeAll(async () => {
    ({ store, drop } = await testStore());
  });
  afterAll(async () => {
    await store.close();
    await drop();
  });

  const group = () =>
    new GroupCommit<string, string>(store.db, async (trx, names) => {
      transactions.push(names.length);
      const ids: string[] = [];
      for (const name of names) {
        ids.push((await orgCreate(trx, name)).id);
        if (name.startsWith('bad')) throw new Error(`task ${name} failed`);
      }
      return ids;
    });

  const names = async () => (await store.db.selectFrom('organisations').select('name').orderBy('name').execute()).map((o) => o.name);

  it('commits tasks submitted together in one transaction, each getting its own result', async () => {
    transactions.length = 0;
    const commit = group();
    const ids = await Promise.all(['a1', 'a2', 'a3'].map((name) => commit.run(name)));
    expect(transactions).toEqual([3]);
    expect(new Set(ids).size).toBe(3);
    expect(await names()).toEqual(['a1', 'a2', 'a3']);
  });

  it('fails only the task that throws: the others commit, its writes roll back', async () => {
    transactions.length = 0;
    const commit = group();
    const settled = await Promise.allSettled(['b1', 'bad2', 'b3'].map((name) => commit.run(name)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toContain('task bad2 failed');
    // The group's transaction rolled back, then each task ran alone.
    expect(transactions).toEqual([3, 1, 1, 1]);
    expect(await names()).toEqual(['a1', 'a2', 'a3', 'b1', 'b3']);
  });

  it('takes what arrives during a commit into the next one', async () => {
    transactions.length = 0;
    const commit = group();
    const first = commit.run('c1');
    await until("c1's transaction has begun", () => transactions.length === 1);
    const rest = ['c2', 'c3', 'c4'].map((name) => commit.run(name));
    await Promise.all([first, ...rest]);
    expect(transactions).toEqual([1, 3]);
  });

  it('runs what a transaction registered once it has settled, committed or rolled back, before its tasks resolve', async () => {
    const log: string[] = [];
    const commit = new GroupCommit<string, string>(store.db, async (trx, tasks, whenSettled) => {
      whenSettled(() => log.push(`settled ${tasks.join('+')}`));
      for (const name of tasks) {
        await orgCreate(trx, name);
        if (name.startsWith('bad')) throw new Error(`task ${name} failed`);
      }
      return tasks;
    });
    const settled = await Promise.allSettled(['d1', 'bad-d2'].map((name) => commit.run(name).finally(() => log.push(`done ${name}`))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    // The group (rolled back), then each task alone: every attempt's undo ran, each before its task settled.
    expect(log).toEqual(['settled d1+bad-d2', 'settled d1', 'done d1', 'settled bad-d2', 'done bad-d2']);
  });

  it('with parallel 2, begins the next group while the first is still open (PostgreSQL; SQLite has one connection)', async () => {
    const log: string[] = [];
    let e1Open!: () => void;
    const e1IsOpen = new Promise<void>((resolve) => (e1Open = resolve));
    let e2Open!: () => void;
    const e2IsOpen = new Promise<void>((resolve) => (e2Open = resolve));
    let e2Requested!: () => void;
    const e2IsRequested = new Promise<void>((resolve) => (e2Requested = resolve));
    const commit = new GroupCommit<string, string>(
      store.db,
      async (trx, tasks) => {
        for (const name of tasks) await orgCreate(trx, name);
        const name = tasks.join('+');
        log.push(`open ${name}`);
        if (name === 'e1') {
          e1Open();
          if (store.dialect === 'postgres') {
            // e1 stays open until e2's transaction has begun beside it (or the test fails here).
            await Promise.race([
              e2IsOpen,
              new Promise((_, reject) => setTimeout(() => reject(new Error('e2 did not begin while e1 was open')), 10_000).unref()),
            ]);
          } else {
            // No I/O on SQLite's path to a transaction: once e2 is asked for and pending callbacks
            // have run, e2 would have begun if it could.
            await e2IsRequested;
            await new Promise((resolve) => setImmediate(resolve));
          }
        } else e2Open();
        log.push(`close ${name}`);
        return tasks;
      },
      64,
      2,
    );
    const first = commit.run('e1');
    await e1IsOpen;
    const second = commit.run('e2');
    e2Requested();
    await Promise.all([first, second]);
    expect(log).toEqual(store.dialect === 'postgres' ? ['open e1', 'open e2', 'close e2', 'close e1'] : ['open e1', 'close e1', 'open e2', 'close e2']);
  });
});
