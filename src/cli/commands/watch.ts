/**
 * `longrun watch <jobId>`: follows a job over its event stream until it ends — a progress bar
 * on stderr when stderr is a terminal, one plain line per event otherwise — then prints a
 * summary on stdout. Exit code 0 if the job completed with every item succeeded, 3 if it
 * completed with failed items, 2 if it failed or was canceled (1 stays for errors: no key, no
 * such job, server unreachable). See `EXIT_CODES`.
 */
import type { Command } from 'commander';
import type { Job, JobEvent, LongrunClient } from '../../client/index.ts';
import { print } from '../context.ts';
import { bar, ProgressLine } from '../progressBar.ts';
import { clientFrom, exitCodeFor, summaryLine, withServerOptions } from '../remote.ts';

interface Progress {
  done: number;
  total: number;
  /** How far the running item has come, for kinds that say (renders). */
  fraction: number | null;
  status: string;
}

/** One plain line per event, for logs and pipes. */
function eventLine(event: JobEvent, p: Progress): string {
  const counter = `(${p.done}/${p.total})`;
  switch (event.type) {
    case 'job.queued':
      return `#${event.seq} job.queued: ${event.data.items} items`;
    case 'item.succeeded':
      return `#${event.seq} item.succeeded ${event.data.key} ${counter}`;
    case 'item.failed':
      return `#${event.seq} item.failed ${event.data.key}: ${event.data.errorCode} ${event.data.errorMessage} ${counter}`;
    case 'item.retrying':
      return `#${event.seq} item.retrying ${event.data.key}: attempt ${event.data.attempt} ${event.data.errorCode} ${event.data.errorMessage} (retry at ${event.data.retryAt})`;
    case 'job.progress':
      return `#${event.seq} job.progress ${Math.round(event.data.fraction * 100)}% of the current item ${counter}`;
    default:
      return `#${event.seq} ${event.type}`;
  }
}

function barLine(job: Job, p: Progress): string {
  const running = p.fraction !== null && p.done < p.total ? p.fraction : 0;
  const overall = p.total > 0 ? (p.done + running) / p.total : 0;
  // The job's ID is what the user typed; the line keeps to what changes, to fit narrow terminals.
  return `${bar(overall)} ${String(Math.floor(overall * 100)).padStart(3)}%  ${p.done}/${p.total}  ${p.status}  ${job.kind}`;
}

/** Follows the job to its end on stderr and prints the summary on stdout; returns the finished job. */
export async function watchJob(client: LongrunClient, jobId: string): Promise<Job> {
  const job = await client.jobs.get(jobId);
  const tty = Boolean(process.stderr.isTTY);
  const line = new ProgressLine(process.stderr);
  // Counted from the replayed events, which begin at the job's submission.
  const p: Progress = { done: 0, total: job.progress.total, fraction: null, status: 'queued' };
  const show = (event?: JobEvent) => {
    if (tty) line.show(barLine(job, p));
    else if (event) process.stderr.write(`${eventLine(event, p)}\n`);
  };
  if (!tty) process.stderr.write(`watching ${job.kind} job ${job.id} (${job.progress.total} ${job.progress.total === 1 ? 'item' : 'items'})\n`);
  show();
  try {
    for await (const event of client.streamEvents(jobId)) {
      if (event.type === 'job.queued') p.total = event.data.items;
      if (event.type === 'job.started') p.status = 'running';
      if (event.type === 'item.succeeded' || event.type === 'item.failed') {
        p.done = Math.min(p.done + 1, p.total);
        p.fraction = null;
      }
      if (event.type === 'job.progress') p.fraction = event.data.fraction;
      if (event.type === 'job.completed' || event.type === 'job.failed' || event.type === 'job.canceled') p.status = event.data.status;
      show(event);
    }
  } finally {
    line.end();
  }
  // The stream has ended with the job's terminal event; read the job once more for its totals.
  const finished = await client.waitFor(jobId);
  print(summaryLine(finished));
  return finished;
}

export function registerWatch(program: Command): void {
  withServerOptions(
    program
      .command('watch <jobId>')
      .description(
        'follow a job until it ends, then print a summary (exit code 0: completed, every item succeeded; 3: completed with failed items; 2: failed or canceled)',
      ),
  ).action(async (jobId: string, _opts: unknown, command: Command) => {
    const job = await watchJob(clientFrom(command), jobId);
    process.exitCode = exitCodeFor(job);
  });
}
