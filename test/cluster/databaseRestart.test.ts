/**
 * The database going away: PostgreSQL is stopped during a load and started again. While it is
 * down, /readyz fails in the API and in the worker; no process exits; afterwards every job
 * completes. Runs only in the cluster config (after the main suite), since it restarts the
 * server every PostgreSQL test uses.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until as untilHolds } from '../helpers/wait.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;
const postgres = process.env.LONGRUN_TEST_DATABASE_URL;
const cluster = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql')[0] : undefined;

function pgctl(action: 'stop' | 'start'): void {
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster!, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])], { stdio: 'inherit' });
}

// A server restart takes seconds: ask every 200 ms, for up to a minute.
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => untilHolds(what, check, { timeoutMs, everyMs: 200 });

const status = async (url: string) => (await call(url).catch(() => ({ status: 0 }))).status;

describe.skipIf(!postgres || !cluster)('PostgreSQL restarting under load', () => {
  let database: TestDatabase;
  let store: Store | undefined;
  const processes: ServeProcess[] = [];
  beforeAll(async () => {
    database = await freshTestDatabase();
  });
  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await store?.close();
    await database?.drop();
  });

  it('fails /readyz while the database is down, keeps every process up, and completes every job after', async () => {
    const log = path.join(database.dataDir, 'completed.log');
    const env = { LONGRUN_DEMO_KINDS: '1', LONGRUN_DEMO_LOG: log, LONGRUN_LEASE_MS: '2000', LONGRUN_ORG_CONCURRENCY: '16', LONGRUN_INITIAL_CREDITS: '10000' };
    const args = ['--database-url', database.url, '--data-dir', database.dataDir];
    const api = await startServeProcess(args, env);
    processes.push(api);
    const worker = await startWorkerProcess(args, env);
    processes.push(worker);
    const key = KEY.exec(api.output())![0];

    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const answer = await call(`${api.url}/demo/sleep`, { key, json: { items: 4, ms: 30 } });
      expect(answer.status).toBe(202);
      ids.push(answer.body.data.jobId);
    }
    const lines = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);
    await until('some progress', async () => lines() >= 40);

    pgctl('stop');
    try {
      await until('/readyz fails in the API', async () => (await status(`${api.url}/readyz`)) === 503);
      await until('/readyz fails in the worker', async () => (await status(`${worker.url}/readyz`)) === 503);
      expect(await status(`${api.url}/healthz`)).toBe(200);
    } finally {
      pgctl('start');
    }
    await until('/readyz recovers in the API', async () => (await status(`${api.url}/readyz`)) === 200);
    await until('/readyz recovers in the worker', async () => (await status(`${worker.url}/readyz`)) === 200);

    store = openStore(database.url, 2);
    await until(
      'every job ends',
      async () => {
        const open = await store!.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kind', '=', 'sleep')
          .where('status', 'in', ['queued', 'running'])
          .executeTakeFirstOrThrow();
        return Number(open.n) === 0;
      },
      120_000,
    );
    const jobs = await store.db.selectFrom('jobs').select(['id', 'status', 'items_succeeded']).where('kind', '=', 'sleep').execute();
    expect(jobs).toHaveLength(100);
    expect(jobs.filter((j) => j.status !== 'completed' || j.items_succeeded !== 4)).toEqual([]);
    expect(processes.map((p) => p.child.exitCode)).toEqual([null, null]);
  });
});
