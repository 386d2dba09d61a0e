/**
 * Ends a job: its final status, output or error, its unfinished items `canceled` (a job that
 * ends `failed` or `canceled` may have some; see `itemsCancelOpenMany`), the release of whatever
 * credits it still has reserved, its terminal event's number, and the hooks (webhook outbox rows) — all in
 * the caller's transaction, so a crash leaves either none of it or all of it.
 */
import type { Db } from '../../store/database.ts';
import { idsMatch } from '../../store/dialect.ts';
import type { JobStatus } from '../../store/schema.ts';
import { ENDED_JOB_COLUMNS, type EndedJob, type JobFinishedHook } from '../types.ts';
import { DeferredWrites } from './deferredWrites.ts';
import { itemsCancelOpenMany } from './itemsCancelOpen.ts';

export interface FinalState {
  status: Extract<JobStatus, 'completed' | 'failed' | 'canceled'>;
  output?: unknown;
  errorCode?: string;
  errorMessage?: string;
}

/** With `writes`, the hooks and the organisation's count are left to the caller to write. */
export async function jobFinalize(
  trx: Db,
  jobId: string,
  final: FinalState,
  now: string,
  hooks: readonly JobFinishedHook[],
  writes?: DeferredWrites,
): Promise<EndedJob> {
  const [job] = await jobsFinalize(trx, [jobId], final, now, hooks, writes);
  if (!job) throw new Error(`job ${jobId} to finalize does not exist`);
  return job;
}

/** Ends several jobs the same way, with one UPDATE (the engine's group of checkpoints). */
export async function jobsFinalize(
  trx: Db,
  jobIds: string[],
  final: FinalState,
  now: string,
  hooks: readonly JobFinishedHook[],
  writes?: DeferredWrites,
): Promise<EndedJob[]> {
  if (jobIds.length === 0) return [];
  const deferred = writes ?? new DeferredWrites();
  const jobs = await trx
    .updateTable('jobs')
    .set((eb) => ({
      ...finalColumns(final, now),
      last_event_seq: eb('last_event_seq', '+', 1), // the terminal event's (derived: `eventsAfter`)
    }))
    .where(idsMatch(trx, 'id', jobIds))
    .returning(ENDED_JOB_COLUMNS)
    .execute();
  // A job completes only once every item has finished: only the other ends leave items open.
  if (final.status !== 'completed')
    await itemsCancelOpenMany(
      trx,
      jobs.map((job) => job.id),
      now,
    );
  for (const job of jobs) jobEnded(job, hooks, deferred);
  if (!writes) await deferred.write(trx);
  return jobs;
}

/** A finished job's columns: its end, and nothing left to claim (available_at and lease cleared). */
export function finalColumns(final: FinalState, now: string) {
  return {
    status: final.status,
    output: final.output === undefined ? null : JSON.stringify(final.output),
    error_code: final.errorCode ?? null,
    error_message: final.errorMessage ?? null,
    available_at: null,
    lease_owner: null,
    lease_expires_at: null,
    completed_at: now,
    updated_at: now,
  };
}

/**
 * What goes with a job's end once its row says so (here, or in the update that counted its last
 * item: `itemCheckpoints`): the release of the credits it still has reserved, the organisation's
 * count and the hooks, all left in `deferred`. Its terminal event is its row's.
 */
export function jobEnded(job: EndedJob, hooks: readonly JobFinishedHook[], deferred: DeferredWrites): void {
  deferred.jobEnded(job);
  deferred.afterEnd(job, hooks);
}
