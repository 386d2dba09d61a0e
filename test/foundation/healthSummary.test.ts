/**
 * The health summary (issue 29, point 5): a `serve` process logs one line when it starts (role,
 * worker slots, database, version) and one when it stops gracefully with what it held and what
 * became of it — jobs finished during the grace period, jobs handed back to the queue — and the
 * database agrees with the line. Its heartbeat shows the jobs it holds meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { orgFindByIdOrName } from '../../src/store/orgs.ts';
import { startStateText } from '../../src/app/processHealth.ts';
import { VERSION } from '../../src/version.ts';
import { startServeProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, testBackend, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;

let database: TestDatabase | undefined;
let server: ServeProcess | undefined;
afterEach(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  server = undefined;
  await database?.drop();
  database = undefined;
});

/** The log line of `event` (process.started, process.stopped) among the JSON lines on stdout. */
function logLine(output: string, event: string): Record<string, unknown> | undefined {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.event === event);
}

/** Starts a serve process running the demo kind and submits `jobs`; resolves once every one is running. */
async function serveWithRunningJobs(graceMs: number, jobs: { items: number; ms: number }[]): Promise<{ key: string; ids: string[] }> {
  database = await freshTestDatabase();
  server = await startServeProcess(['--data-dir', database.dataDir, '--database-url', database.url], {
    LONGRUN_DEMO_KINDS: '1',
    LONGRUN_LOG_LEVEL: 'info',
    LONGRUN_WORKERS: '2',
    LONGRUN_SHUTDOWN_GRACE_MS: String(graceMs),
    LONGRUN_PROCESS_HEARTBEAT_MS: '100',
  });
  const key = KEY.exec(server.output())![0];
  const ids: string[] = [];
  for (const input of jobs) {
    const answer = await call(`${server.url}/demo/sleep`, { key, json: input });
    expect(answer.status, answer.text).toBe(202);
    ids.push(answer.body.data.jobId as string);
  }
  await until('every job is running', async () => {
    const statuses = await Promise.all(ids.map(async (id) => (await call(`${server!.url}/jobs/${id}`, { key })).body.data.status));
    return statuses.every((status) => status === 'running');
  });
  return { key, ids };
}

async function withStore<T>(fn: (db: Store['db']) => Promise<T>): Promise<T> {
  const store = openStore(database!.url, 1);
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

function jobState(id: string): Promise<{ status: string; lease_owner: string | null; items_succeeded: number }> {
  return withStore((db) => db.selectFrom('jobs').select(['status', 'lease_owner', 'items_succeeded']).where('id', '=', id).executeTakeFirstOrThrow());
}

describe('health summary at start and shutdown', () => {
  it('words what a process finds at start', () => {
    expect(startStateText({ queued: 1, scheduled: 2, running: 3, unheld: 0, otherProcesses: 1 })).toBe(
      'found 1 job queued, 2 scheduled, 3 running; 1 other process alive',
    );
    expect(startStateText({ queued: 0, scheduled: 0, running: 2, unheld: 2, otherProcesses: 3 })).toBe(
      'found 0 jobs queued, 0 scheduled, 2 running (2 unheld, to be taken over); 3 other processes alive',
    );
  });

  it('logs what it is at start, and at SIGTERM the job finished in the grace period and the job handed back', { timeout: 90_000 }, async () => {
    // One job of one item ends within the grace period; one of two items is handed back after its
    // first. Items of 8 s: both jobs must still be on their first item when SIGTERM comes, after
    // the checks below, on a loaded machine too.
    const { ids } = await serveWithRunningJobs(30_000, [
      { items: 1, ms: 8000 },
      { items: 2, ms: 8000 },
    ]);
    // Its heartbeat says what it holds.
    const operatorKey = await withStore(
      async (db) => (await apiKeyCreate(db, { orgId: (await orgFindByIdOrName(db, 'default'))!.id, scopes: ['workers:read'] })).key,
    );
    await until('GET /workers shows the two jobs held', async () => {
      const answer = await call(`${server!.url}/workers`, { key: operatorKey });
      return answer.body.data.processes[0]?.jobsHeld === 2;
    });
    const started = logLine(server!.output(), 'process.started');
    expect(started).toMatchObject({ role: 'api', workerSlots: 2, database: testBackend(), version: VERSION });
    // What it found before it claimed anything: an empty queue, no other process.
    expect(started!.found).toEqual({ queued: 0, scheduled: 0, running: 0, unheld: 0, otherProcesses: 0 });
    expect(started!.msg).toMatch(
      new RegExp(
        `^longrun api process started: 2 worker slots, (SQLite|PostgreSQL) at .+, version ${VERSION}; found 0 jobs queued, 0 scheduled, 0 running; 0 other processes alive$`,
      ),
    );
    expect(String(started!.msg)).not.toContain('@');

    server!.child.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
    const stopped = logLine(server!.output(), 'process.stopped');
    expect(stopped).toMatchObject({ role: 'api', held: 2, finished: 1, handedBack: 1, graceExpired: false, process: started!.process });
    expect(stopped!.msg).toBe('longrun api process stopped: held 2 jobs: 1 finished during the grace period, 1 handed back');

    expect(await jobState(ids[0]!)).toMatchObject({ status: 'completed' });
    // Handed back after its first item: no owner, ready for another worker.
    expect(await jobState(ids[1]!)).toEqual({ status: 'running', lease_owner: null, items_succeeded: 1 });

    // The next process on this database finds the job handed back, and says it takes it over.
    server = await startServeProcess(['--data-dir', database!.dataDir, '--database-url', database!.url], {
      LONGRUN_DEMO_KINDS: '1',
      LONGRUN_LOG_LEVEL: 'info',
    });
    await until('the next process has logged its start', () => logLine(server!.output(), 'process.started') !== undefined);
    const next = logLine(server!.output(), 'process.started')!;
    expect(next.found).toEqual({ queued: 0, scheduled: 0, running: 1, unheld: 1, otherProcesses: 0 });
    expect(next.msg).toMatch(/; found 0 jobs queued, 0 scheduled, 1 running \(1 unheld, to be taken over\); 0 other processes alive$/);
    await until('it finishes the job handed back', async () => (await jobState(ids[1]!)).status === 'completed');
  });

  it('says so when the grace period ran out and the running item was aborted and handed back', async () => {
    const { ids } = await serveWithRunningJobs(200, [{ items: 1, ms: 20_000 }]);
    server!.child.kill('SIGTERM');
    expect(await server!.exited).toBe(0);
    const stopped = logLine(server!.output(), 'process.stopped');
    expect(stopped).toMatchObject({ held: 1, finished: 0, handedBack: 1, graceExpired: true });
    expect(stopped!.msg).toBe(
      'longrun api process stopped: held 1 job: 0 finished during the grace period, 1 handed back (the grace period ran out: running items were aborted)',
    );
    expect(await jobState(ids[0]!)).toEqual({ status: 'running', lease_owner: null, items_succeeded: 0 });
  });
});
