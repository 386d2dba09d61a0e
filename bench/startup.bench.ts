/**
 * What starting longrun costs, compiled (dist/, as `npm start` and the `longrun` bin run it)
 * against the same src/ run through tsx's loader (how it ran before it had a build), in one run:
 *   `longrun --version` cold start (wall time of the whole process, median of --runs),
 *   `longrun serve` from spawn to its first 200 on /readyz (SQLite in a temporary directory),
 *   and that server's RSS once ready and idle.
 * Target: `longrun --version` under 0.5 s on 2 cores.
 *
 *   npm run bench -- startup [--runs=10]
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberFlag, pct, printComparison, round, writeReport, type Comparison } from './lib/report.ts';

const params = { runs: numberFlag('runs', 10) };
const ROOT = path.resolve(import.meta.dirname, '..');
const FLAGS = ['--max-semi-space-size=4']; // as `npm start` and the bin's shebang run it

const SYSTEMS = {
  'dist (compiled)': [...FLAGS, path.join(ROOT, 'bin/longrun.mjs')],
  'src through tsx': [...FLAGS, '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')],
} as const;
type System = keyof typeof SYSTEMS;

function versionSeconds(args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [...args, '--version'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`longrun --version failed: ${run.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Spawns `longrun serve` on a fresh data directory; resolves once /readyz answers 200. */
async function serveToReady(args: readonly string[]): Promise<{ seconds: number; rssMb: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-bench-startup-'));
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...args, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, LONGRUN_DATA_DIR: dataDir, LONGRUN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /longrun is serving on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
    });
    while ((await fetch(`${url}/readyz`).catch(() => undefined))?.status !== 200);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    return { seconds, rssMb };
  } finally {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Record<System, { version: number[]; ready: number[]; rssMb: number[] }> = {
  'dist (compiled)': { version: [], ready: [], rssMb: [] },
  'src through tsx': { version: [], ready: [], rssMb: [] },
};
// The two taken in turn, so that a slower moment of the machine falls on both.
for (let i = 0; i < params.runs; i++) {
  for (const system of Object.keys(SYSTEMS) as System[]) {
    results[system].version.push(versionSeconds(SYSTEMS[system]));
    if (i < Math.ceil(params.runs / 2)) {
      const served = await serveToReady(SYSTEMS[system]);
      results[system].ready.push(served.seconds);
      results[system].rssMb.push(served.rssMb);
    }
  }
}

const median = (xs: number[]) => round(pct(xs, 50), 3);
const [dist, tsx] = [results['dist (compiled)'], results['src through tsx']];
const comparisons: Comparison[] = [
  {
    id: 'times',
    title: 'Start-up, median',
    unit: 's',
    series: ['version', 'ready'],
    rows: (Object.keys(SYSTEMS) as System[]).map((label) => ({ label, values: [median(results[label].version), median(results[label].ready)] })),
    ratios: [
      { label: '`longrun --version`, dist', value: median(dist.version), unit: ' s', target: '<= 0.5' },
      { label: 'dist / tsx, --version', value: round(median(dist.version) / median(tsx.version), 2) },
      { label: 'dist / tsx, serve → /readyz', value: round(median(dist.ready) / median(tsx.ready), 2) },
    ],
  },
  {
    id: 'rss',
    title: 'Idle RSS of a ready server, median',
    unit: 'MB',
    series: ['RSS'],
    rows: (Object.keys(SYSTEMS) as System[]).map((label) => ({ label, values: [round(pct(results[label].rssMb, 50), 1)] })),
    ratios: [{ label: 'dist / tsx, idle RSS', value: round(pct(dist.rssMb, 50) / pct(tsx.rssMb, 50), 2) }],
  },
];
for (const c of comparisons) printComparison(c);
writeReport({ name: 'startup', params, results, comparisons });
