/**
 * Runs a kind's processor on one item under its time budget and turns whatever happens into
 * an outcome for the checkpoint. The processor gets an AbortSignal that fires on cancellation,
 * lease loss, shutdown, or when the budget runs out; a processor that ignores it is abandoned
 * (its promise is no longer awaited) so it cannot hold the worker. With tracing on, the processor
 * runs inside the item's span (`itemSpan.ts`), which records the outcome.
 */
import type { FastifyBaseLogger } from 'fastify';
import { retryDelayMs } from './backoff.ts';
import { ItemTimeoutError, PermanentError, RetryableError } from './errors.ts';
import { itemTraced } from './itemSpan.ts';
import { JobStop } from './jobStop.ts';
import type { JobKind } from './kind.ts';
import type { ItemOutcome } from './sql/itemCheckpoint.ts';
import type { StartedItem } from './sql/itemStartNext.ts';
import type { HeldJob } from './sql/jobsClaim.ts';

export function processItem(
  kind: JobKind,
  job: HeldJob,
  item: StartedItem,
  jobStop: JobStop,
  log: FastifyBaseLogger,
  reportProgress: (fraction: number) => void = () => {},
): Promise<ItemOutcome> {
  return itemTraced(job, item, () => processUnderBudget(kind, job, item, jobStop, log, reportProgress));
}

async function processUnderBudget(
  kind: JobKind,
  job: HeldJob,
  item: StartedItem,
  jobStop: JobStop,
  log: FastifyBaseLogger,
  reportProgress: (fraction: number) => void,
): Promise<ItemOutcome> {
  // The item stops with its job, or when its budget runs out; the processor's AbortSignal is
  // made when it first asks for it (aborted already if the item has stopped by then).
  const itemStop = new JobStop();
  let controller: AbortController | undefined;
  const signal = () => {
    if (!controller) {
      controller = new AbortController();
      itemStop.onStop((reason) => controller!.abort(reason));
    }
    return controller.signal;
  };
  const stopped = new Promise<never>((_, reject) => itemStop.onStop(reject));
  stopped.catch(() => {}); // only raced while the processor runs
  const stopWithJob = jobStop.onStop((reason) => itemStop.stop(reason));
  const budget = setTimeout(() => itemStop.stop(new ItemTimeoutError(kind.itemTimeoutMs)), kind.itemTimeoutMs);
  try {
    const work = kind.process({
      jobId: job.id,
      orgId: job.org_id,
      createdAt: job.created_at,
      input: JSON.parse(job.input),
      item: { key: item.key, input: item.input === null ? null : JSON.parse(item.input), attempt: item.attempts },
      get signal() {
        return signal();
      },
      reportProgress,
    });
    work.catch(() => {}); // if abandoned, its later rejection must not go unhandled
    return { type: 'succeeded', result: await Promise.race([work, stopped]) };
  } catch (thrown) {
    if (jobStop.stopped) return { type: 'abandoned' };
    const error = itemStop.stopped ? itemStop.reason : thrown;
    if (error instanceof RetryableError) {
      if (item.attempts >= kind.maxAttempts) {
        return { type: 'failed', code: error.code, message: `${error.message} (gave up after ${item.attempts} attempts)` };
      }
      const backoff = kind.retryDelayMs ? kind.retryDelayMs(item.attempts) : retryDelayMs(item.attempts, kind.backoffBaseMs, kind.backoffMaxMs);
      const delay = Math.max(error.retryAfterMs ?? 0, backoff);
      return { type: 'retry', code: error.code, message: error.message, delayMs: delay };
    }
    if (error instanceof PermanentError) return { type: 'failed', code: error.code, message: error.message };
    log.error({ err: error, jobId: job.id, item: item.key }, 'item processor threw an unexpected error');
    return { type: 'failed', code: 'INTERNAL_ERROR', message: 'An unexpected error occurred while processing this item.' };
  } finally {
    clearTimeout(budget);
    stopWithJob();
  }
}
