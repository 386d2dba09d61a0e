/**
 * `waitFor(jobId)`: the job once it has finished (completed, failed or canceled — the caller
 * reads which). It long-polls `GET /jobs/{id}?wait=N`: the server holds each request until the
 * job's status changes or N seconds pass, so a wait costs one request per status change or per
 * N seconds, never a busy loop.
 */
import type { SignalOption } from './http.ts';
import type { Job } from './types.ts';

export interface WaitForOptions {
  signal?: AbortSignal;
  /** How long the server may hold each request, 1–30 s (default 30). */
  waitSeconds?: number;
  /** Called with the job each time an answer shows it still queued or running. */
  onUpdate?(job: Job): void;
}

const FINISHED = new Set(['completed', 'failed', 'canceled']);

export function isFinished(job: Pick<Job, 'status'>): boolean {
  return FINISHED.has(job.status);
}

export async function waitFor(
  getJob: (id: string, o: SignalOption & { wait?: number }) => Promise<Job>,
  jobId: string,
  opts: WaitForOptions = {},
): Promise<Job> {
  const wait = Math.min(Math.max(Math.round(opts.waitSeconds ?? 30), 1), 30);
  for (;;) {
    const job = await getJob(jobId, { wait, signal: opts.signal });
    if (isFinished(job)) return job;
    opts.onUpdate?.(job);
  }
}
