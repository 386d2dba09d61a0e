/**
 * Whether a test run includes PostgreSQL, decided once when a vitest config loads (see
 * vitest.config.ts and vitest.cluster.config.ts):
 * - LONGRUN_TEST_DATABASE_URL=postgres://… names the server to use, as is;
 * - LONGRUN_TEST_DATABASE_URL=none leaves PostgreSQL out on purpose;
 * - unset, the default local server (postgres://postgres@127.0.0.1:5432/test) is used if it
 *   answers a query within 2 s.
 * The decision is written back to process.env, which the test processes inherit, so a test
 * reads LONGRUN_TEST_DATABASE_URL as before. `PostgresPassReport` repeats the decision after
 * the run's summary, loudly when PostgreSQL was left out: a suite that silently ran on SQLite
 * alone looked exactly like the whole suite passing.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Reporter } from 'vitest/node';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresPass {
  /** The server the PostgreSQL tests use; undefined when they are left out. */
  url: string | undefined;
  /** Why, in a few words, for the run's summary. */
  why: string;
}

// Run in a child process because a vitest config is loaded synchronously: connect, `select 1`, end.
const PROBE = `
const pg = require(process.argv[1]);
const client = new pg.Client({ connectionString: process.argv[2], connectionTimeoutMillis: 2000 });
client.connect().then(() => client.query('select 1')).then(() => client.end()).then(
  () => process.exit(0),
  (err) => { process.stderr.write(String(err && err.message || err)); process.exit(1); });
`;

/** Undefined when PostgreSQL answers at `url`, else what went wrong. */
export function probe(url: string): string | undefined {
  try {
    const pgPath = createRequire(import.meta.url).resolve('pg');
    execFileSync(process.execPath, ['-e', PROBE, pgPath, url], { timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr || (err as Error).message;
  }
}

/** Decides once per process and sets (or clears) LONGRUN_TEST_DATABASE_URL to match. */
export function decidePostgresPass(): PostgresPass {
  const given = process.env.LONGRUN_TEST_DATABASE_URL?.trim();
  let pass: PostgresPass;
  if (given && given.toLowerCase() !== 'none') {
    pass = { url: given, why: 'LONGRUN_TEST_DATABASE_URL' };
  } else if (given) {
    pass = { url: undefined, why: 'left out on purpose (LONGRUN_TEST_DATABASE_URL=none)' };
  } else {
    const failure = probe(DEFAULT_TEST_DATABASE_URL);
    pass = failure
      ? { url: undefined, why: `no PostgreSQL answered at ${DEFAULT_TEST_DATABASE_URL} (${failure.split('\n')[0]})` }
      : { url: DEFAULT_TEST_DATABASE_URL, why: 'found at the default local address' };
  }
  if (pass.url) process.env.LONGRUN_TEST_DATABASE_URL = pass.url;
  else delete process.env.LONGRUN_TEST_DATABASE_URL;
  return pass;
}

/** Prints, after the run's own summary, whether `what` ran on PostgreSQL: a banner when not. */
export class PostgresPassReport implements Reporter {
  constructor(
    private readonly pass: PostgresPass,
    private readonly what: string,
  ) {}

  // `onFinished`, not `onTestRunEnd`: vitest 3's default reporter prints its summary there, and
  // reporters are called in their order, so this comes after it, at the very end of the output.
  onFinished(): void {
    const { url, why } = this.pass;
    if (url) {
      process.stdout.write(`\n  ${this.what[0]!.toUpperCase()}${this.what.slice(1)} ran on ${url} (${why}).\n\n`);
      return;
    }
    const lines = [
      `${this.what.toUpperCase()} DID NOT RUN`,
      `Why: ${why}.`,
      `Start PostgreSQL at ${DEFAULT_TEST_DATABASE_URL} or set LONGRUN_TEST_DATABASE_URL=postgres://…;`,
      'LONGRUN_TEST_DATABASE_URL=none leaves it out on purpose. This run is NOT the whole suite.',
    ];
    const width = Math.max(...lines.map((l) => l.length));
    const rule = `  ${'!'.repeat(width + 4)}`;
    const color = process.stdout.isTTY ? (s: string) => `\x1b[1;33m${s}\x1b[0m` : (s: string) => s;
    process.stdout.write(`\n${color([rule, ...lines.map((l) => `  ! ${l.padEnd(width)} !`), rule].join('\n'))}\n\n`);
  }
}
