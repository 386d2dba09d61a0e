/**
 * The `item.retrying` event: an item's attempt failed with a temporary error and the item waits
 * for its next attempt. Not state (the item row keeps only its last error), so it is a row of
 * its own, appended in the put-back's transaction: it commits with the retry or not at all.
 */
import type { Db } from '../../store/database.ts';
import { eventAppend } from './eventAppend.ts';

/** An event row per retry: a processor's long message is cut here, the item row keeps it whole. */
export const RETRYING_MESSAGE_MAX = 1000;

/** The item as its put-back left it: `attempts` counts the attempt that failed, `available_at` is when it runs again. */
export interface RetryingItem {
  key: string;
  attempts: number;
  available_at: string;
}

export async function itemRetryingEventAppend(
  trx: Db,
  jobId: string,
  item: RetryingItem,
  error: { code: string; message: string },
  now: string,
): Promise<void> {
  const message = error.message.length > RETRYING_MESSAGE_MAX ? `${error.message.slice(0, RETRYING_MESSAGE_MAX - 1)}…` : error.message;
  // Key order is the wire's: clients and the golden files read it as written.
  const data = { key: item.key, attempt: item.attempts, errorCode: error.code, errorMessage: message, retryAt: item.available_at };
  await eventAppend(trx, jobId, 'item.retrying', data, now);
}
