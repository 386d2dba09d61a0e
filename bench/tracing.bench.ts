/**
 * What metrics and OpenTelemetry tracing cost: the status GET and the engine's burn-down in three
 * modes, each adding to the one before:
 * - `bare`: no metrics (the app built without its metrics plugin, the engine without the job
 *   metrics observer or the query histogram) and tracing off: the baseline no process runs;
 * - `off`: metrics on as every process runs them (request and query series, job metrics
 *   observer), tracing off (no OTEL variables: the API is a no-op): a default process;
 * - `on`: metrics on and tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set: the SDK, a span per
 *   request, per submission and per item, exported over OTLP/HTTP protobuf to a local receiver
 *   that reads and discards every batch, in this process).
 * Metrics cost is `off` against `bare`; tracing cost is `on` against `off`.
 *
 * Each measurement runs in a fresh child process (`--child=bare|off|on`), because the SDK
 * registers itself globally; the modes take turns over --rounds rounds (the order rotating each
 * round), so a slow minute of the machine falls on all alike. A child:
 * - burn-down: an engine as in `npm run bench -- engine` (SQLite in a temporary directory, or
 *   --db=postgres; --concurrency 8, --prefetch 504, a no-op kind), --jobs submitted through
 *   `engine.submitIn` 500 a transaction (untimed), then the workers started and timed until
 *   every job is done: jobs/s;
 * - status GET: a server as `serve` builds it (buildApp + compose, demo kind on, rate limit out
 *   of the way), one finished job, then autocannon (a worker thread) on `GET /jobs/{id}` with
 *   --connections for --duration seconds after a --warmup: requests/s, p50 and p99.
 * With tracing off a child also times the engine's calls into the no-op API alone (a submission
 * span and an item span, 200,000 times, less the same loop without them), against a job's time
 * in the burn-down.
 * The report gives the medians of the rounds and the ratios. About four and a half minutes.
 *
 *   npm run bench -- tracing [--rounds=5] [--jobs=20000] [--duration=6] [--warmup=2] [--connections=64] [--db=sqlite|postgres]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { apiKeyCreate } from '../src/auth/apiKeys.ts';
import { buildApp } from '../src/app/apiServer.ts';
import { compose } from '../src/app/families.ts';
import { creditsGrant } from '../src/store/ledger.ts';
import { loadConfig } from '../src/config.ts';
import { itemTraced } from '../src/engine/itemSpan.ts';
import { defineKind } from '../src/engine/kind.ts';
import type { HeldJob } from '../src/engine/sql/jobsClaim.ts';
import { submitSpanStart } from '../src/engine/submitSpan.ts';
import { openStore } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { orgCreate } from '../src/store/orgs.ts';
import { tracingStart } from '../src/telemetry/tracing.ts';
import { jobLog } from '../src/app/jobLog.ts';
import { jobMetrics } from '../src/app/metrics/jobMetrics.ts';
import { queryMetrics } from '../src/http/plugins/metrics.ts';
import { Registry } from 'prom-client';
import { benchEngine } from './lib/longrun.ts';
import { freshDatabase } from './lib/postgres.ts';
import { listFlag, numberFlag, printComparison, round, sleep, stringFlag, writeReport, type Comparison } from './lib/report.ts';

const params = {
  rounds: numberFlag('rounds', 5),
  jobs: numberFlag('jobs', 20_000),
  duration: numberFlag('duration', 6),
  warmup: numberFlag('warmup', 2),
  connections: numberFlag('connections', 64),
  concurrency: numberFlag('concurrency', 8),
  prefetch: numberFlag('prefetch', 504),
  db: listFlag('db', ['sqlite', 'postgres'] as const, ['sqlite'])[0]!,
};
const child = stringFlag('child', '');
type Mode = 'bare' | 'off' | 'on';
const MODES: Mode[] = ['bare', 'off', 'on'];
/** Metrics on in every mode but `bare`. */
const metricsOn = child !== 'bare';

interface Figures {
  /** Tracing off: what the engine's calls into the no-op API cost a job (its submission's span and one item's), in ns. */
  noopNsPerJob?: number;
  /** What the product's observers (job metrics, job log at info, silenced) cost a one-item job, in ns. */
  observersNsPerJob?: number;
  /** Of which the job metrics observer alone, in ns. */
  jobMetricsNsPerJob?: number;
  burnDownJobsPerSecond: number;
  statusRequestsPerSecond: number;
  statusP50Ms: number;
  statusP99Ms: number;
}

// ---- A child: one measurement of one mode -----------------------------------------------------
async function burnDown(): Promise<number> {
  const bench = await benchEngine({ backend: params.db, concurrency: params.concurrency, prefetch: params.prefetch, label: 'tracing' });
  const { store, engine, org } = bench;
  if (metricsOn) {
    // What compose() and the metrics plugin add to every process's engine and store.
    const registry = new Registry();
    engine.observe(jobMetrics(registry));
    queryMetrics(registry, store);
  }
  let done = 0;
  const kind = defineKind<{ n: number }>({
    name: 'noop',
    maxAttempts: 1,
    async process() {
      done++;
      return null;
    },
  });
  engine.register(kind);
  try {
    for (let n = 0; n < params.jobs; n += 500) {
      await store.db.transaction().execute(async (trx) => {
        for (let i = n; i < Math.min(n + 500, params.jobs); i++) await engine.submitIn(trx, { orgId: org.id, kind, input: { n: i } });
      });
    }
    const started = performance.now();
    engine.start();
    while (done < params.jobs) await sleep(5);
    while ((await bench.unfinished()) > 0) await sleep(20);
    return params.jobs / ((performance.now() - started) / 1000);
  } finally {
    await bench.close();
  }
}

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<CannonResult>;

async function statusGet(): Promise<{ requestsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-tracing-'));
  const database = params.db === 'postgres' ? await freshDatabase('tracing_http') : null;
  const config = loadConfig(
    { dataDir, port: 0, logLevel: 'silent', ...(database ? { databaseUrl: database.url } : {}) },
    { ...process.env, LONGRUN_RATE_LIMIT_MAX: '10000000', LONGRUN_DEMO_KINDS: '1' },
  );
  const store = openStore(config.databaseUrl, config.dbPoolSize);
  await migrateToLatest(store.db);
  const composition = compose(config, store, pino({ level: 'silent' }));
  const app = await buildApp(composition, { metrics: metricsOn });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  composition.engine.start();
  try {
    const org = await orgCreate(store.db, 'bench');
    await creditsGrant(store.db, org.id, 1000);
    const { key } = await apiKeyCreate(store.db, { orgId: org.id });
    const headers = { authorization: `Bearer ${key}` };
    const submitted = await fetch(`${url}/demo/sleep`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"items":1,"ms":0}',
    });
    const jobId = ((await submitted.json()) as { data: { jobId: string } }).data.jobId;
    while ((await fetch(`${url}/jobs/${jobId}`, { headers })).status !== 200) await sleep(10);
    await composition.engine.stop(1000); // only HTTP is measured
    const run = (seconds: number) =>
      autocannon({ url, connections: params.connections, duration: seconds, requests: [{ method: 'GET', path: `/jobs/${jobId}`, headers }], workers: 1 });
    await run(params.warmup);
    const result = await run(params.duration);
    if (result.errors + result.timeouts + result.non2xx > 0) throw new Error(`status GET: ${JSON.stringify(result)}`);
    return { requestsPerSecond: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
  } finally {
    await app.close();
    await store.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The engine's tracing calls with the API a no-op, alone, many times over: a job's submission
 * span and stored context (`submitSpanStart`) and one item's span (`itemTraced`).
 */
async function noopNsPerJob(): Promise<number> {
  const job = { id: 'job_1', org_id: 'org_1', kind: 'noop', created_at: new Date().toISOString(), trace_context: null } as HeldJob;
  const item = { job_id: 'job_1', seq: 0, key: 'job', input: null, attempts: 1 };
  const outcome = Promise.resolve({ type: 'succeeded' as const, result: null });
  const once = async () => {
    await submitSpanStart('noop', 'job_1', 1, undefined).around(outcome);
    await itemTraced(job, item, () => outcome);
  };
  // The same awaits without the calls, subtracted: what remains is the calls' own cost.
  const bare = async () => {
    await outcome;
    await (async () => outcome)();
  };
  const n = 200_000;
  const time = async (fn: () => Promise<void>) => {
    for (let i = 0; i < n / 10; i++) await fn(); // warm-up
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - started) / n;
  };
  const baseline = await time(bare);
  return Math.max(0, (await time(once)) - baseline);
}

/**
 * The observers every process registers (compose(): job metrics and the job log), or the job
 * metrics alone, told of one one-item job — its claim, its item's end, its end — many times
 * over: what they cost a job, measured alone, as the tracing calls are.
 */
function observersNsPerJob(which: 'all' | 'metrics'): number {
  const observers = [jobMetrics(new Registry()), ...(which === 'all' ? [jobLog(pino({ level: 'info' }, { write: () => {} }))] : [])];
  const job = { id: 'job_1', kind: 'noop', orgId: 'org_1' };
  const once = () => {
    for (const o of observers) {
      o.jobClaimed?.({ job, attempt: 1, queueWaitSeconds: 0.01 });
      o.itemEnded?.({ job, item: 'job', outcome: 'succeeded', seconds: 0.001, attempt: 1, errorCode: null });
      o.jobEnded?.({ job, status: 'completed', seconds: 0.002, creditsCharged: 0 });
    }
  };
  const n = 200_000;
  for (let i = 0; i < n / 10; i++) once(); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) once();
  return Number(process.hrtime.bigint() - started) / n;
}

async function runChild(): Promise<void> {
  const tracing = tracingStart(loadConfig({ dataDir: os.tmpdir() }, process.env).tracing);
  if (!MODES.includes(child as Mode)) throw new Error(`--child=${child}: bare, off or on`);
  if ((child === 'on') !== (tracing !== null)) throw new Error(`--child=${child} but tracing is ${tracing ? 'on' : 'off'}`);
  const jobsPerSecond = await burnDown();
  const status = await statusGet();
  await tracing?.shutdown();
  const figures: Figures = {
    ...(child !== 'off'
      ? {}
      : {
          noopNsPerJob: round(await noopNsPerJob()),
          observersNsPerJob: round(observersNsPerJob('all')),
          jobMetricsNsPerJob: round(observersNsPerJob('metrics')),
        }),
    burnDownJobsPerSecond: round(jobsPerSecond),
    statusRequestsPerSecond: round(status.requestsPerSecond),
    statusP50Ms: status.p50Ms,
    statusP99Ms: status.p99Ms,
  };
  console.log(`RESULT ${JSON.stringify(figures)}`);
}

// ---- The parent: the receiver, the rounds, the report -------------------------------------------
/** An OTLP/HTTP endpoint that reads every export and throws it away, counting what it got. */
async function discardingReceiver() {
  const counts = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (counts.bytes += chunk.length));
    req.on('end', () => {
      counts.requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, counts, close: () => new Promise((r) => server.close(r)) };
}

function measureIn(mode: Mode, endpoint: string): Promise<Figures> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_')) delete env[name];
  if (mode === 'on') env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  const self = fileURLToPath(import.meta.url);
  const args = [...process.argv.slice(2).filter((a) => !a.startsWith('--child=')), `--child=${mode}`];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', self, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('exit', (code) => {
      const line = /^RESULT (.*)$/m.exec(output);
      if (code !== 0 || !line) return reject(new Error(`mode ${mode}: exit ${code}\n${output}`));
      resolve(JSON.parse(line[1]!) as Figures);
    });
  });
}

const LABELS: Record<Mode, string> = { bare: 'metrics off, tracing off', off: 'metrics on, tracing off', on: 'metrics on, tracing on' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  console.log(`tracing bench: ${JSON.stringify(params)}`);
  const receiver = await discardingReceiver();
  const runs: Record<Mode, Figures[]> = { bare: [], off: [], on: [] };
  try {
    for (let round = 0; round < params.rounds; round++) {
      for (const mode of [...MODES.slice(round % 3), ...MODES.slice(0, round % 3)]) {
        const figures = await measureIn(mode, receiver.endpoint);
        console.log(`round ${round + 1}, ${LABELS[mode]}: ${JSON.stringify(figures)}`);
        runs[mode].push(figures);
      }
    }
  } finally {
    await receiver.close();
  }
  const of = (mode: Mode) => ({
    burnDownJobsPerSecond: median(runs[mode].map((f) => f.burnDownJobsPerSecond)),
    statusRequestsPerSecond: median(runs[mode].map((f) => f.statusRequestsPerSecond)),
    statusP50Ms: median(runs[mode].map((f) => f.statusP50Ms)),
    statusP99Ms: median(runs[mode].map((f) => f.statusP99Ms)),
  });
  const bare = of('bare');
  const off = of('off');
  const on = of('on');
  // With tracing off, the calls' share of a job's time in the burn-down (1e9 / jobs/s ns a job).
  const noopNs = median(runs.off.map((f) => f.noopNsPerJob!));
  const noopShare = noopNs / (1e9 / off.burnDownJobsPerSecond);
  const observersNs = median(runs.off.map((f) => f.observersNsPerJob!));
  const observersShare = observersNs / (1e9 / off.burnDownJobsPerSecond);
  const jobMetricsNs = median(runs.off.map((f) => f.jobMetricsNsPerJob!));
  // What tracing (on against off) and metrics (off against bare) add to one job and one request,
  // in µs of the process's time (1e6 / rate).
  const added = (more: typeof off, less: typeof off) => ({
    perJob: round(1e6 / more.burnDownJobsPerSecond - 1e6 / less.burnDownJobsPerSecond, 1),
    perStatusGet: round(1e6 / more.statusRequestsPerSecond - 1e6 / less.statusRequestsPerSecond, 1),
  });
  const addedUs = added(on, off);
  const metricsAddedUs = added(off, bare);
  const db = params.db === 'postgres' ? 'PostgreSQL' : 'SQLite';
  const comparisons: Comparison[] = [
    {
      id: 'burndown',
      title: `Burn-down of ${params.jobs.toLocaleString('en-US')} no-op jobs (${db}), metrics and tracing off and on`,
      unit: 'jobs/s (median of rounds)',
      series: ['jobs/s'],
      rows: MODES.map((mode) => ({ label: LABELS[mode], values: [of(mode).burnDownJobsPerSecond] })),
      ratios: [
        { label: 'metrics on / off, burn-down jobs/s', value: round(off.burnDownJobsPerSecond / bare.burnDownJobsPerSecond, 2) },
        { label: 'tracing on / off, burn-down jobs/s', value: round(on.burnDownJobsPerSecond / off.burnDownJobsPerSecond, 2) },
      ],
    },
    {
      id: 'status',
      title: `GET /jobs/{id} (${db}), ${params.connections} connections, metrics and tracing off and on`,
      unit: 'requests/s (median of rounds)',
      series: ['requests/s'],
      rows: MODES.map((mode) => ({ label: LABELS[mode], values: [of(mode).statusRequestsPerSecond] })),
      ratios: [
        { label: 'metrics on / off, status GET requests/s', value: round(off.statusRequestsPerSecond / bare.statusRequestsPerSecond, 2) },
        { label: 'metrics on / off, status GET p99', value: round(off.statusP99Ms / Math.max(bare.statusP99Ms, 1e-9), 2) },
        { label: 'tracing on / off, status GET requests/s', value: round(on.statusRequestsPerSecond / off.statusRequestsPerSecond, 2) },
        { label: 'tracing on / off, status GET p99', value: round(on.statusP99Ms / Math.max(off.statusP99Ms, 1e-9), 2) },
      ],
    },
  ];
  for (const c of comparisons) printComparison(c);
  writeReport({
    name: 'tracing',
    params,
    results: {
      metricsOff: bare,
      off,
      on,
      noop: { nsPerJob: noopNs, shareOfJobTime: round(noopShare, 4) },
      observers: { nsPerJob: observersNs, shareOfJobTime: round(observersShare, 4), jobMetricsNsPerJob: jobMetricsNs },
      addedUs,
      metricsAddedUs,
      rounds: runs,
      exported: receiver.counts,
    },
    comparisons,
    notes: [
      `Tracing off, the engine's calls into the no-op API cost ${round(noopNs)} ns a job (a submission span and one item span, measured alone), ${round(noopShare * 100, 2)} % of a job's time in the burn-down; the status GET runs no tracing code at all (the request hook is registered only when tracing is on).`,
      `Metrics on (the request and query series, the job metrics observer) against none add about ${metricsAddedUs.perJob} µs to a no-op job and ${metricsAddedUs.perStatusGet} µs to a status GET; "metrics off" is a bench-only baseline, every process runs them.`,
      `The observers every process registers (job metrics, the job log at info) cost ${round(observersNs)} ns a one-item job measured alone (the job metrics ${round(jobMetricsNs)} ns of it), ${round(observersShare * 100, 2)} % of a job's time in the burn-down.`,
      `Tracing on adds about ${addedUs.perJob} µs to a no-op job (its submission and item spans) and ${addedUs.perStatusGet} µs to a status GET (its request span), in the process's time per job or request.`,
      'Each figure is one child process per mode and round; the modes take turns, the order rotating each round.',
      'Tracing on exports over OTLP/HTTP protobuf (the default) to a receiver in the parent process that reads and discards each batch; the batch processor keeps its defaults (queue 2,048, 512 a batch, every 5 s), so spans made faster than it exports are dropped after being made.',
    ],
  });
}

await (child ? runChild() : main());
