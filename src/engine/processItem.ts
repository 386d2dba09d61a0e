/**
 * Runs a kind's processor on one item under its time budget and turns whatever happens into
 * an outcome for the checkpoint. The processor gets an AbortSignal that fires on cancellation,
 * lease loss, shutdown, or when the budget runs out; a processor that ignores it is abandoned
 * (its promise is no longer awaited) so it cannot hold the worker.
 */
import type { FastifyBaseLogger } from 'fastify';
import { retryDelayMs } from './backoff.ts';
import { ItemTimeoutError, PermanentError, RetryableError } from './errors.ts';
import type { JobKind } from './kind.ts';
import type { ItemOutcome } from './sql/itemCheckpoint.ts';
import type { StartedItem } from './sql/itemStartNext.ts';
import type { HeldJob } from './sql/jobsClaim.ts';

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export async function processItem(
  kind: JobKind,
  job: HeldJob,
  item: StartedItem,
  jobSignal: AbortSignal,
  log: FastifyBaseLogger,
  reportProgress: (fraction: number) => void = () => {},
): Promise<ItemOutcome> {
  const controller = new AbortController();
  const forward = () => controller.abort(jobSignal.reason);
  jobSignal.addEventListener('abort', forward, { once: true });
  const budget = setTimeout(() => controller.abort(new ItemTimeoutError(kind.itemTimeoutMs)), kind.itemTimeoutMs);
  try {
    const work = kind.process({
      jobId: job.id,
      orgId: job.org_id,
      createdAt: job.created_at,
      input: JSON.parse(job.input),
      item: { key: item.key, input: item.input === null ? null : JSON.parse(item.input), attempt: item.attempts },
      signal: controller.signal,
      reportProgress,
    });
    work.catch(() => {}); // if abandoned, its later rejection must not go unhandled
    return { type: 'succeeded', result: await Promise.race([work, rejectOnAbort(controller.signal)]) };
  } catch (thrown) {
    if (jobSignal.aborted) return { type: 'abandoned' };
    const error = controller.signal.aborted ? controller.signal.reason : thrown;
    if (error instanceof RetryableError) {
      if (item.attempts >= kind.maxAttempts) {
        return { type: 'failed', code: error.code, message: `${error.message} (gave up after ${item.attempts} attempts)` };
      }
      const backoff = kind.retryDelayMs ? kind.retryDelayMs(item.attempts) : retryDelayMs(item.attempts, kind.backoffBaseMs, kind.backoffMaxMs);
      const delay = Math.max(error.retryAfterMs ?? 0, backoff);
      return { type: 'retry', code: error.code, message: error.message, availableAt: new Date(Date.now() + delay).toISOString() };
    }
    if (error instanceof PermanentError) return { type: 'failed', code: error.code, message: error.message };
    log.error({ err: error, jobId: job.id, item: item.key }, 'item processor threw an unexpected error');
    return { type: 'failed', code: 'INTERNAL_ERROR', message: 'An unexpected error occurred while processing this item.' };
  } finally {
    clearTimeout(budget);
    jobSignal.removeEventListener('abort', forward);
  }
}
