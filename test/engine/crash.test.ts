/**
 * The crash test: a real server process is SIGKILLed while items run, then started again on the
 * same data directory. Every job must end, no item finished before the kill may run again, and
 * every succeeded item is charged exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsAllForJob } from '../../src/engine/index.ts';
import { creditsBalance, creditsRecount } from '../../src/store/ledger.ts';
import { openStore } from '../../src/store/database.ts';
import { startServeProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;

function completedItems(logFile: string): string[] {
  return fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean) : [];
}

describe('crash recovery', () => {
  let database: TestDatabase;
  let server: ServeProcess | undefined;
  beforeAll(async () => {
    database = await freshTestDatabase();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await database?.drop();
  });

  it('finishes every job after a SIGKILL, never reruns a finished item, and charges each success once', async () => {
    const { dataDir } = database;
    const args = ['--data-dir', dataDir, '--database-url', database.url];
    const env = (log: string) => ({
      LONGRUN_DEMO_KINDS: '1',
      LONGRUN_DEMO_LOG: path.join(dataDir, log),
      LONGRUN_LEASE_MS: '1500',
      LONGRUN_WORKERS: '4',
      // Two jobs claimed ahead wait for a slot: the kill takes their leases down too.
      LONGRUN_PREFETCH: '2',
      LONGRUN_ORG_CONCURRENCY: '6',
      LONGRUN_INITIAL_CREDITS: '1000',
    });
    server = await startServeProcess(args, env('run1.log'));
    const key = KEY.exec(server.output())![0];

    const jobIds: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const answer = await call(`${server.url}/demo/sleep`, { key, json: { items: 8, ms: 150 } });
      expect(answer.status).toBe(202);
      jobIds.push(answer.body.data.jobId);
    }
    await until('ten items have completed', () => completedItems(path.join(dataDir, 'run1.log')).length >= 10, { timeoutMs: 20_000, everyMs: 20 });
    server.child.kill('SIGKILL');
    await server.exited;

    // What the database says had finished when the process died.
    const store = openStore(database.url);
    const itemsBefore = (await Promise.all(jobIds.map((id) => itemsAllForJob(store.db, id)))).flat();
    const finishedBefore = new Set(itemsBefore.filter((r) => r.status === 'succeeded').map((r) => `${r.job_id} ${r.key}`));
    // Ten items had logged their side effect; up to two per worker slot (4) may not have been
    // recorded before the kill: the item in flight, and a job's last item, whose commit the
    // slot does not wait for (a loaded machine showed 10 - 4).
    expect(finishedBefore.size).toBeGreaterThanOrEqual(10 - 8);
    expect(finishedBefore.size).toBeLessThan(48);

    server = await startServeProcess(args, env('run2.log'));
    expect(server.output()).not.toMatch(/lr_/); // not a first start
    for (const id of jobIds) {
      let answer = await call(`${server.url}/jobs/${id}?wait=30`, { key });
      while (answer.status === 202) answer = await call(`${server.url}/jobs/${id}?wait=30`, { key });
      expect(answer.body.data.status).toBe('completed');
      expect(answer.body.data.counts).toEqual({ pending: 0, succeeded: 8, failed: 0, canceled: 0 });
    }
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const rerun = completedItems(path.join(dataDir, 'run2.log'));
    // Nothing that had finished before the kill ran again; everything else ran after.
    expect(rerun.filter((line) => finishedBefore.has(line))).toEqual([]);
    expect(new Set([...finishedBefore, ...rerun]).size).toBe(48);

    // One charge per item, nothing left reserved, the ledger and the balance agree.
    const charges = await store.db.selectFrom('credit_ledger').select(['ref', 'item_ref']).where('kind', '=', 'charge').execute();
    expect(charges).toHaveLength(48);
    expect(new Set(charges.map((c) => `${c.ref} ${c.item_ref}`)).size).toBe(48);
    const org = await store.db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 1000 - 48, reserved: 0 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 1000 - 48, reserved: 0 });
    await store.close();
  });
});
