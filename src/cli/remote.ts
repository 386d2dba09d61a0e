/**
 * What the work commands (submit, watch, jobs, results) share: they talk to a running server
 * through the typed client, never to the database. `--url` (env LONGRUN_URL, default
 * http://127.0.0.1:8080) and `--api-key` (env LONGRUN_API_KEY) say which server and as whom;
 * without a key they stop before any request, with one line on stderr.
 */
import type { Command } from 'commander';
import { createClient, LongrunError, type Job, type LongrunClient } from '../client/index.ts';
import { CliError } from './context.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export function withServerOptions(command: Command): Command {
  return command
    .option('--url <url>', `the longrun server (env LONGRUN_URL, default ${DEFAULT_URL})`)
    .option('--api-key <key>', 'an API key, lr_… (env LONGRUN_API_KEY)');
}

export function clientFrom(command: Command): LongrunClient {
  const opts = command.optsWithGlobals<{ url?: string; apiKey?: string }>();
  const url = opts.url || process.env.LONGRUN_URL || DEFAULT_URL;
  const apiKey = opts.apiKey || process.env.LONGRUN_API_KEY;
  if (!apiKey) throw new CliError('no API key: pass --api-key or set LONGRUN_API_KEY');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url must look like http://host:port, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`--url must be http:// or https://, got "${url}"`);
  return createClient({ url, apiKey });
}

/** The one line an error of the server becomes: its message, then status and code. */
export function errorLine(error: LongrunError): string {
  return error.status === 0 ? error.message : `${error.message} (${error.status} ${error.code})`;
}

/** A non-negative integer flag, or a one-line error naming the flag. */
export function intFlag(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) throw new CliError(`${name} must be a whole number, got "${raw}"`);
    return value;
  };
}

/** Collects a flag given several times (`--profile a --profile b`). */
export function repeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `2/3 (1 failed)`: how far a job has come. */
export function progressText(job: Job): string {
  const notes = [job.counts.failed > 0 ? `${job.counts.failed} failed` : '', job.counts.canceled > 0 ? `${job.counts.canceled} canceled` : ''].filter(Boolean);
  return `${job.progress.done}/${job.progress.total}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

/** The last line of `watch`: what the job ended as, how long it took, what it did and cost. */
export function summaryLine(job: Job): string {
  const from = Date.parse(job.startedAt ?? job.createdAt);
  const to = job.completedAt ? Date.parse(job.completedAt) : Date.now();
  const took = job.status === 'completed' ? `in ${durationText(to - from)}` : `after ${durationText(to - from)}`;
  const items = `${job.counts.succeeded} of ${plural(job.progress.total, 'item')} succeeded${job.counts.failed ? `, ${job.counts.failed} failed` : ''}${job.counts.canceled ? `, ${job.counts.canceled} canceled` : ''}`;
  const credits = `${plural(job.credits.charged, 'credit')} charged`;
  const error = job.error ? `; ${job.error.code}: ${job.error.message}` : '';
  return `${job.id} (${job.kind}) ${job.status} ${took}: ${items}; ${credits}${error}`;
}

/** The exit codes of `watch` (and `submit --watch`); 1 is for errors (no key, no such job, server unreachable). */
export const EXIT_CODES = {
  /** The job completed and every item succeeded. */
  completed: 0,
  /** The job failed or was canceled. */
  failedOrCanceled: 2,
  /** The job completed, but some or all of its items failed. */
  completedWithFailedItems: 3,
} as const;

/** What a watched job's outcome means for the exit code (see `EXIT_CODES`). */
export function exitCodeFor(job: Job): number {
  if (job.status !== 'completed') return EXIT_CODES.failedOrCanceled;
  return job.counts.failed > 0 ? EXIT_CODES.completedWithFailedItems : EXIT_CODES.completed;
}
