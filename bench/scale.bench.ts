/**
 * Issue 10, part 5: does `GET /jobs/{id}` stay flat as finished jobs pile up, and how much memory
 * does the server hold? A real `longrun serve` child process (node with the flags `npm start`
 * uses; SQLite in a temporary data dir, log level warn, rate limit out of the way) is started once on the empty dir, to migrate it,
 * create the default organisation and print its first API key, and stopped. Then, for each
 * --sizes step, finished jobs are added directly in SQL (better-sqlite3, one transaction, one
 * `job_items` row each) and --ids random finished job IDs are picked; every size but the last
 * keeps a copy of the database as it was then, in a data dir of its own. Then one server per
 * size runs at once, and:
 *   each gets --warmup sequential GETs (with 300 a fresh server's JIT had not settled: 0.53 vs
 *   0.25 ms at 10k jobs);
 *   --requests sequential GET /jobs/{id} per size (one keep-alive connection each), in --rounds
 *   passes that take the sizes in turn: p50/p95/p99 ms over all of a size's passes. The
 *   machine's speed moves minute to minute; measured one size after another, whichever size met
 *   a slow minute looked slower (1M/10k came out 0.57× and 1.21× in two runs of one day with the
 *   same index lookup), while taken in turns every size meets the same minutes;
 *   autocannon, --connections for --duration s over the same IDs, one size at a time:
 *   requests/s; the server's RSS (/proc/<pid>/status VmRSS) after the load.
 * Targets: p50 at the largest size / p50 at the smallest within ±20%; RSS at 1M < 300 MB.
 *
 *   npm run bench -- scale [--sizes=10000,100000,1000000] [--requests=2000] [--rounds=4] [--warmup=3000] [--ids=200] [--connections=16] [--duration=5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { monotonicFactory } from 'ulid';
import { numberFlag, pct, printComparison, round, stringFlag, writeReport, type Comparison } from './lib/report.ts';

const sizes = stringFlag('sizes', '10000,100000,1000000')
  .split(',')
  .filter(Boolean)
  .map((s) => Number(s.replace(/_/g, '')));
if (sizes.length === 0 || sizes.some((n, i) => !Number.isInteger(n) || n <= 0 || (i > 0 && n <= sizes[i - 1]!))) {
  throw new Error('--sizes must be increasing positive integers, e.g. --sizes=10000,100000,1000000');
}
const params = {
  sizes,
  requests: numberFlag('requests', 2000),
  rounds: numberFlag('rounds', 4),
  warmup: numberFlag('warmup', 3000),
  ids: numberFlag('ids', 200),
  connections: numberFlag('connections', 16),
  duration: numberFlag('duration', 5),
};

const BIN = path.resolve(import.meta.dirname, '../bin/longrun.mjs');
/** The node flags `npm start` runs the server with (package.json), so the RSS measured is what users get. */
const START_FLAGS: string[] = (() => {
  const start: string = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('bin/longrun.mjs'));
})();
const KEY = /lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}/;

// autocannon ships no types; this is the part of it used here.
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<CannonResult>;

// ---- The server as a child process (as test/helpers/cli.ts starts it) ------------------------
interface Server {
  child: ChildProcess;
  url: string;
  stdout: string;
  exited: Promise<number | null>;
}

function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [...START_FLAGS, BIN, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, LONGRUN_LOG_LEVEL: 'warn', LONGRUN_RATE_LIMIT_MAX: '10000000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time:\n${stdout}\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /longrun is serving on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        // Give the rest of the banner (the first key) a moment to arrive.
        setTimeout(() => resolve({ child, url: match[1]!, stdout, exited }), 50);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready:\n${stdout}\n${stderr}`));
    });
  });
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  const timeout = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  await server.exited;
  clearTimeout(timeout);
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return round(kb / 1024, 1);
}

// ---- Filling the database ---------------------------------------------------------------------
const ulid = monotonicFactory();

/** Adds finished jobs (one item each) until `target` are present; returns how long it took (ms). */
function fill(dbFile: string, from: number, target: number): number {
  const started = performance.now();
  const db = new Database(dbFile);
  try {
    db.pragma('synchronous = OFF');
    const org = db.prepare('select id from organisations order by created_at, id limit 1').get() as { id: string } | undefined;
    if (!org) throw new Error('no organisation in the database');
    const insertJob = db.prepare(
      `insert into jobs (id, org_id, kind, status, input, output, error_code, error_message, priority, attempts, run_at,
         available_at, lease_owner, lease_expires_at, items_total, items_succeeded, items_failed, credits_reserved,
         credits_charged, last_event_seq, created_at, started_at, completed_at, updated_at, progress, queue)
       values (?, ?, 'sleep', 'completed', ?, ?, null, null, 0, 1, ?, null, null, null, 1, 1, 0, 1, 1, 3, ?, ?, ?, ?, 1, null)`,
    );
    const insertItem = db.prepare(
      `insert into job_items (job_id, seq, key, status, input, result, error_code, error_message, attempts, available_at, started_at, finished_at)
       values (?, 0, '0', 'succeeded', ?, ?, null, null, 1, ?, ?, ?)`,
    );
    // Spread over the last ~2 days (inside the 30-day retention), oldest first, so IDs and times grow together.
    const span = 2 * 24 * 3600 * 1000;
    const t0 = Date.now() - span;
    const batch = db.transaction((a: number, b: number) => {
      for (let i = a; i < b; i++) {
        const t = new Date(t0 + Math.floor((i / target) * span)).toISOString();
        const done = new Date(t0 + Math.floor((i / target) * span) + 20).toISOString();
        const id = `job_${ulid()}`;
        insertJob.run(id, org.id, `{"ms":10,"n":${i}}`, '{"slept":10}', t, t, t, done, done);
        insertItem.run(id, '{"ms":10}', '{"slept":10}', t, t, done);
      }
    });
    batch(from, target);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return Math.round(performance.now() - started);
}

function randomIds(dbFile: string, n: number): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('select id from jobs order by random() limit ?').all(n) as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** The query plan of the status route's lookup, to spot a scan. */
function lookupPlan(dbFile: string, id: string, orgId: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare('explain query plan select * from jobs where id = ? and org_id = ?').all(id, orgId) as { detail: string }[];
    return rows.map((r) => r.detail).join('; ');
  } finally {
    db.close();
  }
}

// ---- One size ---------------------------------------------------------------------------------
interface SizeResult {
  jobs: number;
  fillMs: number;
  startMs: number;
  dbMiB: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  cannonP50Ms: number;
  cannonP99Ms: number;
  rssIdleMiB: number;
  rssMiB: number;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** `count` sequential GETs of random `ids`, each timed (ms). */
async function timedGets(url: string, key: string, ids: string[], count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = ids[Math.floor(Math.random() * ids.length)]!;
    const t = performance.now();
    const res = await fetch(`${url}/jobs/${id}`, { headers: bearer(key) });
    const text = await res.text();
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`GET /jobs/${id}: ${res.status} ${text.slice(0, 300)}`);
  }
  return times;
}

async function throughput(url: string, key: string, ids: string[]): Promise<CannonResult> {
  const requests = ids.map((id) => ({ method: 'GET', path: `/jobs/${id}`, headers: bearer(key) }));
  await autocannon({ url, connections: params.connections, duration: 1, requests, workers: 1 });
  const cannon = await autocannon({ url, connections: params.connections, duration: params.duration, requests, workers: 1 });
  if (cannon.errors + cannon.timeouts > 0 || cannon.non2xx > 0) {
    throw new Error(`autocannon: ${cannon.errors + cannon.timeouts} errors, ${cannon.non2xx} non-2xx answers`);
  }
  return cannon;
}

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n)) + ' jobs';

async function main() {
  console.log(`scale bench: ${JSON.stringify(params)}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-scale-'));
  const dbFile = path.join(dataDir, 'longrun.db');
  const servers: Server[] = [];
  const extraDirs: string[] = [];
  try {
    // First start: migrates, creates the default organisation and prints its key.
    const setup = await startServer(dataDir);
    const key = KEY.exec(setup.stdout)?.[0];
    await stopServer(setup);
    if (!key) throw new Error(`no API key in the first start's output:\n${setup.stdout}`);

    // Each size's database as it was, in a data dir of its own (the last size's is the original).
    const stages: { size: number; dir: string; fillMs: number; dbMiB: number; ids: string[] }[] = [];
    let present = 0;
    for (const size of params.sizes) {
      const fillMs = fill(dbFile, present, size);
      console.log(`${label(size)}: added ${size - present} in ${fillMs} ms (${Math.round(((size - present) / fillMs) * 1000)} jobs/s)`);
      present = size;
      let dir = dataDir;
      if (size !== params.sizes.at(-1)) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-scale-'));
        extraDirs.push(dir);
        fs.copyFileSync(dbFile, path.join(dir, 'longrun.db'));
      }
      stages.push({ size, dir, fillMs, dbMiB: round(fs.statSync(dbFile).size / 1024 ** 2, 1), ids: randomIds(dbFile, params.ids) });
    }

    const running: ((typeof stages)[number] & { server: Server; startMs: number; rssIdleMiB: number })[] = [];
    for (const stage of stages) {
      const t = performance.now();
      const server = await startServer(stage.dir);
      servers.push(server);
      running.push({ ...stage, server, startMs: Math.round(performance.now() - t), rssIdleMiB: rssMiB(server.child.pid!) });
    }
    for (const r of running) await timedGets(r.server.url, key, r.ids, params.warmup);
    const times = new Map<number, number[]>(running.map((r) => [r.size, []]));
    for (let round = 0; round < params.rounds; round++) {
      for (const r of running) times.get(r.size)!.push(...(await timedGets(r.server.url, key, r.ids, Math.ceil(params.requests / params.rounds))));
    }

    const perSize: SizeResult[] = [];
    const notes: string[] = [];
    for (const r of running) {
      const cannon = await throughput(r.server.url, key, r.ids);
      const sample = times.get(r.size)!;
      const result: SizeResult = {
        jobs: r.size,
        fillMs: r.fillMs,
        startMs: r.startMs,
        dbMiB: r.dbMiB,
        p50Ms: pct(sample, 50),
        p95Ms: pct(sample, 95),
        p99Ms: pct(sample, 99),
        requestsPerSecond: Math.round(cannon.requests.average),
        cannonP50Ms: cannon.latency.p50,
        cannonP99Ms: cannon.latency.p99,
        rssIdleMiB: r.rssIdleMiB,
        rssMiB: rssMiB(r.server.child.pid!),
      };
      console.log(JSON.stringify(result));
      perSize.push(result);
    }
    const orgId = (() => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare('select id from organisations order by created_at, id limit 1').get() as { id: string }).id;
      } finally {
        db.close();
      }
    })();
    const plan = lookupPlan(dbFile, randomIds(dbFile, 1)[0]!, orgId);
    notes.push(`query plan of a job lookup by id and org: ${plan}`);
    console.log(notes.at(-1));

    const first = perSize[0]!;
    const last = perSize.at(-1)!;
    const flat = round(last.p50Ms / first.p50Ms, 2);
    const c = `${params.connections} connections, ${params.duration} s`;
    const comparisons: Comparison[] = [
      {
        id: 'latency',
        title: `GET /jobs/{id} sequential latency by finished jobs in the database (${params.requests} requests, ${params.ids} random IDs, sizes in turn over ${params.rounds} rounds)`,
        unit: 'ms (lower is better)',
        series: ['p50', 'p95', 'p99'],
        rows: perSize.map((r) => ({ label: label(r.jobs), values: [r.p50Ms, r.p95Ms, r.p99Ms] })),
        ratios: [
          { label: `p50 ${label(last.jobs)} / p50 ${label(first.jobs)}, GET /jobs/{id}`, value: flat, target: '<= 1.2' },
          { label: `p50 ${label(last.jobs)} / p50 ${label(first.jobs)} (lower bound of ±20%)`, value: flat, target: '>= 0.8' },
        ],
      },
      {
        id: 'throughput',
        title: `GET /jobs/{id} by finished jobs in the database, ${c}`,
        unit: 'requests/s (higher is better)',
        series: ['req/s'],
        rows: perSize.map((r) => ({ label: label(r.jobs), values: [r.requestsPerSecond] })),
      },
      {
        id: 'rss',
        title: 'Server RSS after the load, by finished jobs in the database',
        unit: 'MiB (lower is better)',
        series: ['RSS'],
        rows: perSize.map((r) => ({ label: label(r.jobs), values: [r.rssMiB] })),
        ratios: [{ label: `server RSS at ${label(last.jobs)}`, value: last.rssMiB, target: '<= 300', unit: 'MiB' }],
      },
    ];
    if (last.jobs < 1_000_000) notes.push(`largest size measured is ${last.jobs}, not 1M: the RSS target is for 1M`);
    for (const comparison of comparisons) printComparison(comparison);
    writeReport({ name: 'scale', params, results: { perSize, p50Ratio: flat, lookupPlan: plan }, comparisons, notes });
  } finally {
    for (const server of servers) await stopServer(server);
    for (const dir of [dataDir, ...extraDirs]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
