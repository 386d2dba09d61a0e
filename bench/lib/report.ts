/**
 * What every benchmark shares: `--name=value` flags, percentiles, machine info, and the report.
 *
 * `writeReport` writes bench/results/<name>.json (params, raw results, comparisons, machine,
 * date), one SVG bar chart per comparison (bench/results/<name>-<comparison>.svg, drawn by hand)
 * and regenerates bench/results/SUMMARY.md from every results file present: one table, with
 * the ratios longrun/peer and the issue's targets where a comparison has them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results, or LONGRUN_BENCH_RESULTS_DIR (the harness test writes to a temporary one). */
export const RESULTS_DIR = process.env.LONGRUN_BENCH_RESULTS_DIR ?? fileURLToPath(new URL('../results', import.meta.url));

/** What the figures show longrun still loses, and why: kept by hand, copied into SUMMARY.md. */
const REMAINS_FILE = fileURLToPath(new URL('../REMAINS.md', import.meta.url));

// ---- Flags ------------------------------------------------------------------------------------
function rawFlag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** `--name=N`, a positive number (integer unless `fraction`). */
export function numberFlag(name: string, fallback: number, fraction = false): number {
  const raw = rawFlag(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (!fraction && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${fraction ? 'number' : 'integer'}, got "${raw}"`);
  }
  return value;
}

/** `--name=a,b,c`, each value one of `allowed`. */
export function listFlag<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[] = allowed): T[] {
  const raw = rawFlag(name);
  if (raw === undefined) return [...fallback];
  const values = raw.split(',').filter(Boolean);
  const bad = values.filter((v) => !allowed.includes(v as T));
  if (bad.length > 0) throw new Error(`--${name}: unknown ${bad.join(', ')}; one or more of ${allowed.join(', ')}`);
  return values as T[];
}

export function stringFlag(name: string, fallback: string): string {
  return rawFlag(name) ?? fallback;
}

// ---- Figures ----------------------------------------------------------------------------------
/** Nearest-rank percentile of `xs`, rounded to 0.01. */
export function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!, 2);
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** 1, 5 and 15 minute load averages when the report was written: other work on the machine. */
    loadAverage: os.loadavg().map((x) => round(x, 2)),
  };
}

// ---- Report -----------------------------------------------------------------------------------
export interface Ratio {
  /** e.g. "longrun (SQLite) / BullMQ, jobs/s" */
  label: string;
  value: number;
  /** The issue's target, e.g. ">= 5" or "<= 1"; checked when present. */
  target?: string;
  /** Shown after the value; "×" unless said (e.g. "ms" for an absolute target). */
  unit?: string;
}

export interface Comparison {
  /** Short, file-name safe: "burndown". */
  id: string;
  title: string;
  unit: string;
  /** Bar series; one value per series per row (e.g. ["p50", "p95", "p99"] or ["jobs/s"]). */
  series: string[];
  rows: { label: string; values: number[] }[];
  ratios?: Ratio[];
}

export interface Report {
  name: string;
  params: Record<string, unknown>;
  results: unknown;
  comparisons: Comparison[];
  notes?: string[];
}

/** True/false when the target can be checked, undefined when there is none. */
export function targetMet(ratio: Ratio): boolean | undefined {
  const match = /^\s*(>=|<=)\s*([\d.]+)\s*$/.exec(ratio.target ?? '');
  if (!match) return undefined;
  return match[1] === '>=' ? ratio.value >= Number(match[2]) : ratio.value <= Number(match[2]);
}

export function writeReport(report: Report): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const full = { ...report, date: new Date().toISOString(), machine: machineInfo() };
  const file = path.join(RESULTS_DIR, `${report.name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  console.log(`written ${path.relative(process.cwd(), file)}`);
  for (const c of report.comparisons) {
    const svg = path.join(RESULTS_DIR, `${report.name}-${c.id}.svg`);
    fs.writeFileSync(svg, barChart(c));
    console.log(`written ${path.relative(process.cwd(), svg)}`);
  }
  writeSummary();
}

/** Prints a comparison as a small table on the terminal. */
export function printComparison(c: Comparison): void {
  console.log(`\n${c.title} (${c.unit})`);
  const width = Math.max(...c.rows.map((r) => r.label.length), 10) + 2;
  console.log(''.padEnd(width) + c.series.map((s) => s.padStart(12)).join(''));
  for (const row of c.rows) console.log(row.label.padEnd(width) + row.values.map((v) => fmt(v).padStart(12)).join(''));
  for (const r of c.ratios ?? []) {
    const met = targetMet(r);
    console.log(`  ${r.label}: ${fmt(r.value)}${r.unit ?? '×'}${r.target ? ` (target ${r.target}: ${met ? 'met' : 'NOT met'})` : ''}`);
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return String(round(v, Math.abs(v) >= 1 ? 2 : 3));
}

// ---- SVG --------------------------------------------------------------------------------------
const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal grouped bars, one group per row, one bar per series, each labelled with its value. */
export function barChart(c: Comparison): string {
  const labelWidth = 200;
  const plotWidth = 460;
  const bar = 16;
  const groupGap = 12;
  const top = 44 + (c.series.length > 1 ? 20 : 0);
  const groupHeight = c.series.length * bar + groupGap;
  const height = top + c.rows.length * groupHeight + 10;
  const max = Math.max(...c.rows.flatMap((r) => r.values.filter(Number.isFinite)), 1e-9);
  const width = Math.max(labelWidth + plotWidth + 100, Math.ceil(c.title.length * 8.5) + 20);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(c.title)}</text>`,
    `<text x="10" y="38" fill="#555">${esc(c.unit)}</text>`,
  ];
  if (c.series.length > 1) {
    c.series.forEach((s, i) => {
      const x = labelWidth + i * 90;
      parts.push(`<rect x="${x}" y="48" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`, `<text x="${x + 16}" y="58">${esc(s)}</text>`);
    });
  }
  c.rows.forEach((row, r) => {
    const y0 = top + r * groupHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y0 + (c.series.length * bar) / 2 + 4}" text-anchor="end">${esc(row.label)}</text>`);
    row.values.forEach((v, i) => {
      const w = Number.isFinite(v) ? Math.max(1, (v / max) * plotWidth) : 0;
      const y = y0 + i * bar;
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${round(w, 1)}" height="${bar - 2}" fill="${COLOURS[i % COLOURS.length]}"/>`,
        `<text x="${round(labelWidth + w + 4, 1)}" y="${y + bar - 5}">${esc(fmt(v))}</text>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// ---- SUMMARY.md -------------------------------------------------------------------------------
/** Numeric leaves of an object, one level of nesting flattened ("sourcingRunMs.p50"). */
function numericFields(results: unknown): [string, number][] {
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries((results ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'number') out.push([key, value]);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value)) if (typeof v === 'number') out.push([`${key}.${sub}`, v]);
    }
  }
  return out;
}

export function writeSummary(): void {
  const files = fs
    .readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const lines = [
    '# Benchmark results',
    '',
    'Generated by `bench/lib/report.ts` from the `bench/results/*.json` files present; run `npm run bench` (all) or',
    '`npm run bench -- <name> [--flags]` (one) to refresh. Ratios are longrun / peer; targets are those of the issue behind each benchmark (the engine: issue 31).',
    '',
    '| Benchmark | Measure | System / ratio | Value | Target |',
    '|---|---|---|---|---|',
  ];
  const runs: string[] = [];
  const notes: string[] = [];
  for (const file of files) {
    const data = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, file), 'utf8')) as Partial<Report> & {
      date?: string;
      machine?: { cpu?: string; cores?: number; node?: string; loadAverage?: number[] };
    };
    const name = data.name ?? file.replace(/\.json$/, '');
    const m = data.machine ?? {};
    const load = m.loadAverage ? `, load average ${m.loadAverage.join(' ')}` : '';
    runs.push(
      `- **${name}**: ${data.date ?? '?'} on ${m.cpu ?? '?'} (${m.cores ?? '?'} cores), Node ${m.node ?? '?'}${load}; params \`${JSON.stringify(data.params ?? {})}\``,
    );
    for (const note of data.notes ?? []) notes.push(`- **${name}**: ${note}`);
    if (Array.isArray(data.comparisons) && data.comparisons.length > 0) {
      for (const c of data.comparisons) {
        const unit = c.unit.replace(/\s*\(.*\)$/, '');
        for (const row of c.rows) {
          const value =
            c.series.length === 1 ? `${fmt(row.values[0]!)} ${unit}` : `${c.series.map((s, i) => `${s} ${fmt(row.values[i]!)}`).join(', ')} ${unit}`;
          lines.push(`| ${name} | ${c.title} | ${row.label} | ${value} | |`);
        }
        for (const r of c.ratios ?? []) {
          const met = targetMet(r);
          const target = r.target ? `${r.target} ${met === undefined ? '' : met ? '✅' : '❌'}` : '';
          lines.push(`| ${name} | ${c.title} | **${r.label}** | **${fmt(r.value)}${r.unit === undefined ? '×' : ` ${r.unit}`}** | ${target} |`);
        }
      }
    } else {
      for (const [key, value] of numericFields(data.results)) lines.push(`| ${name} | ${key} | longrun | ${fmt(value)} | |`);
    }
  }
  lines.push('', '## Runs', '', ...runs, '');
  if (notes.length > 0) lines.push('## Notes of the runs', '', ...notes, '');
  // Where longrun loses and why: written by hand (bench/REMAINS.md), as the figures cannot say it.
  if (fs.existsSync(REMAINS_FILE)) lines.push('## What remains', '', fs.readFileSync(REMAINS_FILE, 'utf8').trim(), '');
  fs.writeFileSync(path.join(RESULTS_DIR, 'SUMMARY.md'), lines.join('\n'));
  console.log(`written ${path.relative(process.cwd(), path.join(RESULTS_DIR, 'SUMMARY.md'))}`);
}
