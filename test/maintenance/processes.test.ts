/**
 * Maintenance runs in worker processes as well as API processes: a `worker`, or a `serve`,
 * alone on a database takes every task's round (its lease row written) without being asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/app/start.ts';
import { startWorker, type RunningWorker } from '../../src/app/startWorker.ts';
import { loadConfig } from '../../src/config.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { until } from '../helpers/wait.ts';

const TASKS = ['clips.upload-expiry', 'idempotency.pruning', 'jobs.retention', 'processes.pruning', 'webhooks.delivery-retention'];

let database: TestDatabase | undefined;
const running: (RunningServer | RunningWorker)[] = [];
afterEach(async () => {
  for (const process of running.splice(0)) await process.close();
  await database?.drop();
});

async function leaseHolders(process: RunningServer | RunningWorker): Promise<Map<string, string | null>> {
  const db = process.store.db.withTables<{ maintenance_leases: { task: string; holder: string | null } }>();
  const rows = await db.selectFrom('maintenance_leases').select(['task', 'holder']).execute();
  return new Map(rows.map((r) => [r.task, r.holder]));
}

describe('maintenance in every process', () => {
  it.each([
    ['worker', startWorker],
    ['serve', startServer],
  ])('a %s process alone runs every task', async (_name, start) => {
    database = await freshTestDatabase();
    const config = loadConfig({ dataDir: database.dataDir, databaseUrl: database.url, port: 0, workerPort: 0, logLevel: 'silent' }, {});
    const started = await start(config);
    running.push(started);
    // A task's row is inserted before its round is taken: wait for every holder, not only every row.
    await until('the process has taken every task', async () => {
      const holders = await leaseHolders(started);
      return holders.size === TASKS.length && [...holders.values()].every((holder) => holder !== null);
    });
    const holders = await leaseHolders(started);
    expect([...holders.keys()].sort()).toEqual(TASKS);
    for (const holder of holders.values()) expect(holder).toMatch(new RegExp(`:${process.pid}:`));
  });
});
