/** How a job and its items look on the generic `/jobs` routes (schemas.ts declares their shapes). */
import type { Static } from '@sinclair/typebox';
import type { ItemView, JobView } from './schemas.ts';
import type { ItemRow, JobRow } from './types.ts';
import type { WaitingReason } from './waitingReason.ts';

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function isFinished(job: JobRow): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'canceled';
}

/** `waitingReason`: why the job waits though due (`jobsWaitingReasons`); absent from the view when none. */
export function jobView(job: JobRow, waitingReason?: WaitingReason | null): Static<typeof JobView> {
  const done = job.items_succeeded + job.items_failed;
  // An ended job's unfinished items were canceled with it (`itemsCancelOpenMany`).
  const open = job.items_total - done;
  const ended = isFinished(job);
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    priority: job.priority,
    attempts: job.attempts,
    progress: { done, total: job.items_total, fraction: job.progress },
    counts: { pending: ended ? 0 : open, succeeded: job.items_succeeded, failed: job.items_failed, canceled: ended ? open : 0 },
    credits: { reserved: ended ? 0 : job.credits_reserved - job.credits_charged, charged: job.credits_charged },
    input: parse(job.input),
    output: parse(job.output),
    error: job.error_code ? { code: job.error_code, message: job.error_message ?? '' } : null,
    runAt: job.run_at,
    createdAt: job.created_at,
    startedAt: job.started_at,
    completedAt: job.completed_at,
    ...(waitingReason && { waitingReason }),
  };
}

export function itemView(item: ItemRow): Static<typeof ItemView> {
  return {
    key: item.key,
    status: item.status,
    attempts: item.attempts,
    result: parse(item.result),
    error: item.error_code ? { code: item.error_code, message: item.error_message ?? '' } : null,
    startedAt: item.started_at,
    finishedAt: item.finished_at,
  };
}
