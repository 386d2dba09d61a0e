/**
 * Why a job that could run waits: `throttled` while a throttle holds it (its organisation's
 * kind has no slot before the job's own time), shown on the job's view as `waitingReason`. Read
 * when a view is asked for, from the throttle's row, so nothing is written to the job to say it.
 * Not guaranteed: a job the claimer is about to take at its slot may read `throttled` for that
 * moment.
 */
import type { Db } from '../store/database.ts';
import { throttleSlotsRead } from './sql/throttleSlots.ts';
import { throttleKey, type ThrottleLimits } from './throttle.ts';
import type { JobRow } from './types.ts';

export type WaitingReason = 'throttled';

/** A job waiting for a worker: queued, or given back (running, held by none). */
const isWaiting = (job: JobRow) => job.status === 'queued' || (job.status === 'running' && job.lease_owner === null);

/** The reasons of those of `jobs` that wait on something, by job ID. */
export async function jobsWaitingReasons(db: Db, throttles: ThrottleLimits, jobs: JobRow[]): Promise<Map<string, WaitingReason>> {
  const reasons = new Map<string, WaitingReason>();
  const waiting = jobs.filter(isWaiting);
  if (waiting.length === 0 || !(await throttles.any(db))) return reasons;
  const limited = waiting.filter((job) => throttles.limitFor(job.org_id, job.kind) !== undefined);
  if (limited.length === 0) return reasons;
  const { nowMs, next } = await throttleSlotsRead(
    db,
    limited.map((job) => ({ orgId: job.org_id, kind: job.kind })),
  );
  for (const job of limited) {
    const slot = next.get(throttleKey(job.org_id, job.kind));
    if (slot !== undefined && slot > nowMs && Date.parse(job.available_at ?? job.run_at) <= slot) reasons.set(job.id, 'throttled');
  }
  return reasons;
}
