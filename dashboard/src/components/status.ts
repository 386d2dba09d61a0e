/** A status word as a badge. The word is always shown, so colour is never the only signal. */
import { h } from '../dom.ts';
import type { Job } from 'longrun/client';

/** What a job's badge reads: its status, why it waits (a throttle), and how many items succeeded and failed. */
type JobOutcome = Pick<Job, 'status'> & Partial<Pick<Job, 'waitingReason'>> & { counts: Pick<Job['counts'], 'succeeded' | 'failed'> };

export function statusBadge(status: string): HTMLSpanElement {
  return h('span', { class: `badge status-${status.replace(/[^a-z]/g, '')}` }, status);
}

/**
 * A job's status as people should read it: a job can complete with failed items (each item's
 * failure is its own), and then it is not shown as a plain success: "completed, 1 failed".
 */
export function jobStatusText(job: JobOutcome): string {
  if (job.waitingReason) return `${job.status}, ${job.waitingReason}`;
  return job.status === 'completed' && job.counts.failed > 0 ? `completed, ${job.counts.failed} failed` : job.status;
}

/**
 * A job's status badge: `statusBadge`, but a completed job with failed items says how many, in
 * the warning colour when some items succeeded and the failure colour when none did.
 */
export function jobBadge(job: JobOutcome): HTMLSpanElement {
  if (job.waitingReason) return h('span', { class: `badge status-${job.status}`, 'data-status': job.status }, jobStatusText(job));
  if (job.status !== 'completed' || job.counts.failed === 0) return statusBadge(job.status);
  const look = job.counts.succeeded > 0 ? 'status-partial' : 'status-failed';
  return h('span', { class: `badge ${look}`, 'data-status': job.status }, jobStatusText(job));
}
