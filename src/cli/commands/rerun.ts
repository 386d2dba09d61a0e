/**
 * `longrun rerun <jobId>`: runs a finished job's failed and canceled items again as a new job
 * (`POST /jobs/{id}/rerun`), charging only for those; prints the new job's ID, as `submit` does,
 * so `longrun watch $(longrun rerun …)` follows it.
 */
import type { Command } from 'commander';
import { print } from '../context.ts';
import { clientFrom, exitCodeFor, repeated, withServerOptions } from '../remote.ts';
import { watchJob } from './watch.ts';

export function registerRerun(program: Command): void {
  withServerOptions(
    program
      .command('rerun <jobId>')
      .description("run a finished job's failed and canceled items again as a new job; prints its ID")
      .option('--key <key>', 'only this item (a profile ID, item-2, …); repeat for more', repeated)
      .option('--idempotency-key <key>', 'rerun at most once for this key (the same answer again on a repeat)')
      .option('--json', "print the server's answer as JSON instead of the job ID")
      .option('--watch', 'then follow the new job until it ends, as longrun watch does'),
  ).action(async (jobId: string, opts: { key?: string[]; idempotencyKey?: string; json?: boolean; watch?: boolean }, command: Command) => {
    const client = clientFrom(command);
    const answer = await client.jobs.rerun(jobId, opts.key ? { keys: opts.key } : {}, { idempotencyKey: opts.idempotencyKey });
    print(opts.json ? JSON.stringify(answer, null, 2) : answer.jobId);
    if (opts.watch) process.exitCode = exitCodeFor(await watchJob(client, answer.jobId));
  });
}
