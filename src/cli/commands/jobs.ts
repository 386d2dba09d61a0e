/**
 * `longrun jobs ls|show|cancel`: the organisation's jobs on a running server (`GET /jobs`,
 * `GET /jobs/{id}` with its items, `POST /jobs/{id}/cancel`). `--json` prints the server's
 * answer as it is, for scripts.
 */
import type { Command } from 'commander';
import type { Job, JobStatus } from '../../client/index.ts';
import { CliError, print, printTable } from '../context.ts';
import { clientFrom, intFlag, plural, progressText, withServerOptions } from '../remote.ts';

const STATUSES: JobStatus[] = ['queued', 'running', 'completed', 'failed', 'canceled'];
/** Items shown by `jobs show`; `longrun results` gives them all. */
const SHOWN_ITEMS = 100;

function json(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

function details(job: Job): string[][] {
  const rows: [string, string | null][] = [
    ['id', job.id],
    ['kind', job.kind],
    ['status', job.status],
    [
      'progress',
      `${progressText(job)}${job.progress.fraction !== null && job.status === 'running' ? `, current item ${Math.round(job.progress.fraction * 100)}%` : ''}`,
    ],
    ['credits', `${job.credits.charged} charged, ${job.credits.reserved} reserved`],
    ['attempts', String(job.attempts)],
    ['priority', String(job.priority)],
    ['created', job.createdAt],
    ['run at', job.runAt !== job.createdAt ? job.runAt : null],
    ['started', job.startedAt],
    ['completed', job.completedAt],
    ['error', job.error ? `${job.error.code}: ${job.error.message}` : null],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null);
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description("list, inspect and cancel the organisation's jobs on a running server");

  withServerOptions(
    jobs
      .command('ls')
      .description('list jobs, newest first')
      .option('--kind <kind>', 'only this kind (also shows bookkeeping kinds such as webhook)')
      .option('--status <status>', `only this status: ${STATUSES.join(', ')}`)
      .option('--limit <n>', 'how many (1–100)', intFlag('--limit'), 20)
      .option('--offset <n>', 'skip this many', intFlag('--offset'), 0)
      .option('--json', 'print the answer as JSON'),
  ).action(async (opts: { kind?: string; status?: string; limit: number; offset: number; json?: boolean }, command: Command) => {
    if (opts.status && !STATUSES.includes(opts.status as JobStatus)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}, got "${opts.status}"`);
    const page = await clientFrom(command).jobs.list({ kind: opts.kind, status: opts.status as JobStatus | undefined, limit: opts.limit, offset: opts.offset });
    if (opts.json) return json(page);
    printTable(
      ['ID', 'KIND', 'STATUS', 'PROGRESS', 'CREDITS', 'CREATED'],
      page.jobs.map((j) => [j.id, j.kind, j.status, progressText(j), String(j.credits.charged), j.createdAt]),
    );
    if (page.total > opts.offset + page.jobs.length)
      print(`… ${page.total - opts.offset - page.jobs.length} more (--offset ${opts.offset + page.jobs.length})`);
  });

  withServerOptions(
    jobs.command('show <jobId>').description('one job: status, progress, credits, timestamps, error, and its items').option('--json', 'print the job as JSON'),
  ).action(async (jobId: string, opts: { json?: boolean }, command: Command) => {
    const client = clientFrom(command);
    const job = await client.jobs.get(jobId);
    if (opts.json) return json(job);
    printTable(['FIELD', 'VALUE'], details(job));
    const { items, total } = await client.jobs.items(jobId, { limit: SHOWN_ITEMS });
    if (items.length === 0) return;
    print();
    printTable(
      ['ITEM', 'STATUS', 'ATTEMPTS', 'ERROR'],
      items.map((i) => [i.key, i.status, String(i.attempts), i.error ? `${i.error.code}: ${i.error.message}` : '']),
    );
    if (total > items.length) print(`… ${plural(total - items.length, 'more item')}: longrun results ${jobId}`);
  });

  withServerOptions(
    jobs
      .command('cancel <jobId>')
      .description('cancel a queued or running job; finished items keep their results and charges')
      .option('--json', 'print the canceled job as JSON'),
  ).action(async (jobId: string, opts: { json?: boolean }, command: Command) => {
    const job = await clientFrom(command).jobs.cancel(jobId);
    if (opts.json) return json(job);
    const rest = [job.counts.failed > 0 ? `${job.counts.failed} had failed` : '', job.counts.canceled > 0 ? `${job.counts.canceled} canceled` : ''].filter(
      Boolean,
    );
    print(
      `canceled ${job.id} (${job.kind}): ${job.counts.succeeded} of ${plural(job.progress.total, 'item')} had succeeded${rest.map((r) => `, ${r}`).join('')}; ${plural(job.credits.charged, 'credit')} charged`,
    );
  });
}
