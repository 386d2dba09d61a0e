/**
 * Workers in view (issue 29, point 4): every `serve` and `worker` process on a database records
 * a heartbeat row; `GET /workers` (operator scope `workers:read`, granted by name only) and
 * `longrun workers` list those alive; one that stops gracefully leaves at once, one killed drops
 * out after its missed beats and its row is pruned by the `processes.pruning` task.
 *
 * Real processes (an API process and two workers) on one database: on SQLite, two stores in one
 * Node process would wait on each other's write lock with the event loop blocked.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import type { Scope } from '../../src/scopes.ts';
import { createClient } from '../../src/client/index.ts';
import { processPruning } from '../../src/maintenance/processPruning.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { orgFindByIdOrName } from '../../src/store/orgs.ts';
import { VERSION } from '../../src/version.ts';
import { runCli, startServeProcess, startWorkerProcess, type ServeProcess } from '../helpers/cli.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { call } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';

interface Listed {
  id: string;
  host: string;
  pid: number;
  role: string;
  version: string;
  startedAt: string;
  lastBeatAt: string;
  jobsHeld: number;
  workerSlots: number;
}

let database: TestDatabase;
let store: Store;
let api: ServeProcess;
/** Beats at the default interval (5 s): if it were only left to expire, it would be listed for 15 s. */
let steady: ServeProcess;
/** Beats every second: gone 3 s after its last beat (a window a loaded machine cannot stall past). */
let quick: ServeProcess;
let operatorKey: string;

beforeAll(async () => {
  database = await freshTestDatabase();
  const args = ['--data-dir', database.dataDir, '--database-url', database.url];
  api = await startServeProcess(args, { LONGRUN_WORKERS: '3' });
  steady = await startWorkerProcess(args, { LONGRUN_WORKERS: '2' });
  quick = await startWorkerProcess(args, { LONGRUN_WORKERS: '1', LONGRUN_PROCESS_HEARTBEAT_MS: '1000' });
  store = openStore(database.url, 2);
  operatorKey = await keyWith(['workers:read']);
}, 60_000);
afterAll(async () => {
  for (const started of [api, steady, quick]) {
    if (!started || started.child.exitCode !== null || started.child.signalCode !== null) continue;
    started.child.kill('SIGKILL');
    await started.exited;
  }
  await store?.close();
  await database?.drop();
});

/** A key of the default organisation (made at the API process's first start) with these scopes. */
async function keyWith(scopes: Scope[]): Promise<string> {
  const org = await orgFindByIdOrName(store.db, 'default');
  return (await apiKeyCreate(store.db, { orgId: org!.id, scopes })).key;
}

async function listed(key = operatorKey): Promise<Listed[]> {
  const answer = await call(`${api.url}/workers`, { key });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.data.processes as Listed[];
}

const pids = (processes: Listed[]) => processes.map((p) => p.pid);

describe('GET /workers and longrun workers', () => {
  it('lists every process on the database as it is: role, host, pid, version, slots, jobs held, beats', async () => {
    const processes = await listed();
    expect(processes.map((p) => [p.role, p.pid, p.workerSlots])).toEqual([
      ['api', api.child.pid, 3],
      ['worker', steady.child.pid, 2],
      ['worker', quick.child.pid, 1],
    ]);
    for (const p of processes) {
      expect(p).toMatchObject({ host: os.hostname(), version: VERSION, jobsHeld: 0 });
      // The engine's lease owner: a job's lease_owner names its process.
      expect(p.id).toMatch(new RegExp(`^${os.hostname()}:${p.pid}:[0-9a-f]{8}$`));
      expect(Date.parse(p.lastBeatAt)).toBeGreaterThanOrEqual(Date.parse(p.startedAt));
    }
    // It beats: the last beat moves on, the start stays.
    const before = processes[2]!;
    await until('the quick worker has beaten again', async () => (await listed())[2]!.lastBeatAt !== before.lastBeatAt, { everyMs: 100 });
    expect((await listed())[2]!.startedAt).toBe(before.startedAt);
    // The typed client reads the same.
    expect(pids((await createClient({ url: api.url, apiKey: operatorKey }).workers.list()).processes)).toEqual(pids(processes));
  });

  it('needs workers:read by name: a key without it, and a product key with no scopes, get 403 in the envelope', async () => {
    for (const scopes of [[], ['metrics:read'], ['sourcing:write', 'webhooks:write']] as Scope[][]) {
      const answer = await call(`${api.url}/workers`, { key: await keyWith(scopes) });
      expect(answer.status, JSON.stringify(scopes)).toBe(403);
      expect(answer.body).toEqual({ success: false, error: 'forbidden', message: 'This API key lacks the "workers:read" scope this route needs.' });
    }
    expect((await call(`${api.url}/workers`)).status).toBe(401);
  });

  it('longrun workers prints a table and totals, --json the answer, and a refusal as one line', async () => {
    const env = { LONGRUN_URL: api.url, LONGRUN_API_KEY: operatorKey };
    const table = await runCli(['workers'], env);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ROLE\s+HOST\s+PID\s+SLOTS\s+HELD\s+VERSION\s+STARTED\s+LAST BEAT\s+ID$/);
    const row = (role: string, child: ServeProcess, slots: number) =>
      new RegExp(
        `^${role}\\s+\\S+\\s+${child.child.pid}\\s+${slots}\\s+0\\s+${VERSION.replace(/\./g, '\\.')}\\s+\\S+Z\\s+[\\d.]+ m?s ago\\s+\\S+:${child.child.pid}:\\w+$`,
      );
    expect(lines[1]).toMatch(row('api', api, 3));
    expect(lines[2]).toMatch(row('worker', steady, 2));
    expect(lines[3]).toMatch(row('worker', quick, 1));
    expect(lines[4]).toBe('3 processes (1 api, 2 workers): 6 worker slots, 0 jobs held');
    expect(lines).toHaveLength(5);

    const json = await runCli(['workers', '--json'], env);
    expect(json.code).toBe(0);
    expect(pids((JSON.parse(json.stdout) as { processes: Listed[] }).processes)).toEqual([api.child.pid, steady.child.pid, quick.child.pid]);

    const refused = await runCli(['workers'], { ...env, LONGRUN_API_KEY: await keyWith([]) });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('longrun: This API key lacks the "workers:read" scope this route needs. (403 forbidden)\n');
  });

  it('a process stopped with SIGTERM leaves the list as it exits, long before its beats would run out', async () => {
    steady.child.kill('SIGTERM');
    expect(await steady.exited).toBe(0);
    expect(pids(await listed())).toEqual([api.child.pid, quick.child.pid]);
  });

  it('a process killed with SIGKILL drops out after its missed beats; the maintenance task prunes its row', async () => {
    quick.child.kill('SIGKILL');
    await quick.exited;
    await until('the killed worker is no longer listed', async () => (await listed()).length === 1, { everyMs: 100 });
    expect(pids(await listed())).toEqual([api.child.pid]);
    // Still in the table until pruned; the task deletes it and leaves the live process.
    expect(pids((await store.db.selectFrom('processes').select('pid').orderBy('pid').execute()) as Listed[]).sort()).toEqual(
      [api.child.pid, quick.child.pid].sort(),
    );
    expect(await processPruning(store.db).run(new Date())).toBe(1);
    expect(await store.db.selectFrom('processes').select('pid').execute()).toEqual([{ pid: api.child.pid }]);
  });
});
