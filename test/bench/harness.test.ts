/**
 * `npm run bench` itself, at a size of seconds: each benchmark run through bench/run.mjs as a
 * user runs it, every peer included, writing to a temporary results directory. It checks what
 * the benchmark issue asks of the output, not any speed: raw figures per system, machine info,
 * the ratios against their targets, SUMMARY.md and a chart per comparison.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const postgresUrl = process.env.LONGRUN_TEST_DATABASE_URL;
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-results-'));

function bench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bench/run.mjs'), ...args, `--pg=${postgresUrl}`], {
      cwd: root,
      env: { ...process.env, LONGRUN_BENCH_RESULTS_DIR: resultsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const read = (file: string) => JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));

// The peers need the local PostgreSQL and Redis, which the PostgreSQL pass of the suite needs too.
describe.skipIf(!postgresUrl)('npm run bench', () => {
  afterAll(() => fs.rmSync(resultsDir, { recursive: true, force: true }));

  it('engine: every system in one run, burn-down and steady state, with ratios against the targets', { timeout: 240_000 }, async () => {
    const run = await bench(['engine', '--jobs=300', '--rate=20', '--seconds=2', '--warmup=10']);
    expect(run.code, run.output).toBe(0);
    const report = read('engine.json');
    expect(report.machine).toMatchObject({ cores: os.cpus().length, node: process.version });
    expect(report.machine.cpu).toBeTruthy();
    expect(report.params.jobs).toBe(300);
    const systems = ['longrun-sqlite', 'longrun-postgres', 'bullmq', 'graphile-worker', 'graphile-worker-batched', 'pg-boss'];
    expect(Object.keys(report.results.burnDown).sort()).toEqual([...systems].sort());
    for (const name of systems) {
      expect(report.results.burnDown[name].jobsPerSecond).toBeGreaterThan(0);
      expect(report.results.steady[name].latencyMs.p50).toBeGreaterThan(0);
    }
    const ratios = report.comparisons.flatMap((c: { ratios?: { label: string; target?: string }[] }) => c.ratios ?? []);
    // Issue 31's targets, the bulk insert's among them.
    expect(ratios).toContainEqual(expect.objectContaining({ label: 'longrun (SQLite) / BullMQ (Redis), jobs/s', target: '>= 2.5' }));
    expect(ratios).toContainEqual(expect.objectContaining({ label: 'longrun (PostgreSQL) / graphile-worker, jobs/s', target: '>= 6' }));
    expect(ratios).toContainEqual(expect.objectContaining({ label: 'longrun (PostgreSQL) / graphile-worker (batched), jobs/s', target: '>= 1' }));
    expect(ratios).toContainEqual(expect.objectContaining({ label: 'longrun (PostgreSQL) / graphile-worker, inserted jobs/s', target: '>= 0.5' }));
    for (const chart of ['engine-burndown.svg', 'engine-latency.svg']) {
      expect(fs.readFileSync(path.join(resultsDir, chart), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    }
    expect(fs.readFileSync(path.join(resultsDir, 'SUMMARY.md'), 'utf8')).toContain(
      '| engine | Burn-down: 300 no-op jobs, concurrency 8 | **longrun (SQLite) / BullMQ (Redis), jobs/s** |',
    );
  });

  it('batches: jobs of several items with credits against no-op jobs, every credit accounted for', { timeout: 120_000 }, async () => {
    const run = await bench(['batches', '--jobs=40', '--items=5']);
    expect(run.code, run.output).toBe(0);
    const report = read('batches.json');
    expect(report.results.credits).toMatchObject({ jobs: 40, items: 200, creditsCharged: 200 });
    expect(report.results.noop).toMatchObject({ jobs: 200, items: 200, creditsCharged: 0 });
    const summary = fs.readFileSync(path.join(resultsDir, 'SUMMARY.md'), 'utf8');
    expect(summary).toContain('| batches |');
    // What the figures cannot say is copied in from bench/REMAINS.md.
    expect(summary).toContain(`## What remains\n\n${fs.readFileSync(new URL('../../bench/REMAINS.md', import.meta.url), 'utf8').trim()}\n`);
  });

  it('startup: the compiled command against src through tsx, --version, serve to /readyz and idle RSS', { timeout: 120_000 }, async () => {
    const run = await bench(['startup', '--runs=1']);
    expect(run.code, run.output).toBe(0);
    const report = read('startup.json');
    for (const system of ['dist (compiled)', 'src through tsx']) {
      expect(report.results[system].version).toHaveLength(1);
      expect(report.results[system].ready[0]).toBeGreaterThan(0);
      expect(report.results[system].rssMb[0]).toBeGreaterThan(0);
    }
    expect(report.comparisons[0].ratios[0]).toMatchObject({ label: '`longrun --version`, dist', target: '<= 0.5' });
  });

  it('tracing: the status GET and a burn-down with metrics and tracing off and on, in child processes, with the ratios', { timeout: 150_000 }, async () => {
    const run = await bench(['tracing', '--rounds=1', '--jobs=300', '--duration=1', '--warmup=1']);
    expect(run.code, run.output).toBe(0);
    const report = read('tracing.json');
    // metricsOff: the baseline without metrics; off: metrics on, tracing off (a default process); on: both.
    for (const mode of ['metricsOff', 'off', 'on']) {
      expect(report.results[mode].burnDownJobsPerSecond).toBeGreaterThan(0);
      expect(report.results[mode].statusRequestsPerSecond).toBeGreaterThan(0);
    }
    expect(report.results.noop.nsPerJob).toEqual(expect.any(Number));
    // Tracing on exported its spans to the bench's own receiver.
    expect(report.results.exported.requests).toBeGreaterThan(0);
    const ratios = report.comparisons.flatMap((c: { ratios: { label: string }[] }) => c.ratios.map((r) => r.label));
    expect(ratios).toEqual([
      'metrics on / off, burn-down jobs/s',
      'tracing on / off, burn-down jobs/s',
      'metrics on / off, status GET requests/s',
      'metrics on / off, status GET p99',
      'tracing on / off, status GET requests/s',
      'tracing on / off, status GET p99',
    ]);
    expect(report.results.metricsAddedUs).toEqual({ perJob: expect.any(Number), perStatusGet: expect.any(Number) });
    expect(report.results.observers.jobMetricsNsPerJob).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(resultsDir, 'tracing-status.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('floor: every database, completion variant, batch and connection count, each job claimed and completed once', { timeout: 120_000 }, async () => {
    const run = await bench(['floor', '--jobs=300', '--batches=50,200']);
    expect(run.code, run.output).toBe(0);
    const report = read('floor.json');
    const runs = report.results.runs as { db: string; variant: string; batch: number; connections: number; jobsPerSecond: number }[];
    expect(runs.map((r) => `${r.db} ${r.variant} ${r.batch} ${r.connections}`)).toEqual(
      ['sqlite', 'postgres'].flatMap((db) =>
        ['delete', 'update', 'update+item'].flatMap((variant) =>
          [50, 200].flatMap((batch) => (db === 'sqlite' ? [1] : [1, 2]).map((connections) => `${db} ${variant} ${batch} ${connections}`)),
        ),
      ),
    );
    for (const r of runs) expect(r.jobsPerSecond).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(resultsDir, 'SUMMARY.md'), 'utf8')).toContain(
      '| floor | Floor: burn-down of 300 jobs on a minimal schema, no engine | SQLite, update+item, B=200, 1 conn. |',
    );
  });

  it('refuses an unknown benchmark by name', async () => {
    const run = await bench(['nonesuch']);
    expect(run.code).toBe(2);
    expect(run.output).toContain('Unknown benchmark: nonesuch');
  });
});
