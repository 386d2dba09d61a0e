/**
 * `longrun results <jobId>`: what a job produced — the job and every item with its result or
 * error (`GET /jobs/{id}` and `/items`, all pages). `--json` prints `{job, items}` as one JSON
 * document on stdout; `--wait` first waits for the job to finish (long-polling, see waitFor).
 * Results of a job still running are partial, and say so on stderr.
 */
import type { Command } from 'commander';
import { isFinished } from '../../client/index.ts';
import { print, printTable } from '../context.ts';
import { clientFrom, withServerOptions } from '../remote.ts';

/** A result as one short line for the table; --json has it whole. */
function brief(value: unknown, width = 100): string {
  const text = value === null || value === undefined ? '' : JSON.stringify(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export function registerResults(program: Command): void {
  withServerOptions(
    program
      .command('results <jobId>')
      .description("a job's items with their results and errors")
      .option('--json', 'print {job, items} as JSON')
      .option('--wait', 'wait for the job to finish first'),
  ).action(async (jobId: string, opts: { json?: boolean; wait?: boolean }, command: Command) => {
    const client = clientFrom(command);
    const job = opts.wait ? await client.waitFor(jobId) : await client.jobs.get(jobId);
    const items = await client.jobs.allItems(jobId);
    if (!isFinished(job)) process.stderr.write(`longrun: ${job.id} is still ${job.status}; these results are partial (--wait waits for the end)\n`);
    if (opts.json) return print(JSON.stringify({ job, items }, null, 2));
    printTable(
      ['ITEM', 'STATUS', 'RESULT'],
      items.map((i) => [i.key, i.status, i.error ? `${i.error.code}: ${i.error.message}` : brief(i.result)]),
    );
    if (job.output !== null && job.output !== undefined) print(`output: ${brief(job.output, 200)}`);
  });
}
