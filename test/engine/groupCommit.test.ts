import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/database.ts';
import { GroupCommit } from '../../src/store/groupCommit.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { testStore } from '../helpers/testServer.ts';

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
    await new Promise((resolve) => setImmediate(resolve)); // c1's transaction has begun
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

  it('with parallel 2, begins the next group while the first is still open', async () => {
    let open = 0;
    let mostOpen = 0;
    const commit = new GroupCommit<string, string>(
      store.db,
      async (trx, tasks) => {
        open += 1;
        mostOpen = Math.max(mostOpen, open);
        for (const name of tasks) await orgCreate(trx, name);
        await new Promise((resolve) => setTimeout(resolve, 50));
        open -= 1;
        return tasks;
      },
      64,
      2,
    );
    const first = commit.run('e1');
    await new Promise((resolve) => setTimeout(resolve, 10)); // e1's transaction is open
    await Promise.all([first, commit.run('e2')]);
    expect(mostOpen).toBe(store.dialect === 'postgres' ? 2 : 1);
  });
});
