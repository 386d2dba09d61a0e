/**
 * Which database errors mean "the connection went away", not "the statement is wrong": the
 * server terminated the session (an administrator, a restart, a failover), the socket broke, or
 * the server refused new sessions for a moment. Work that failed that way may run again on a
 * fresh connection (the pool drops a broken client and opens another); anything else must not
 * be retried blindly.
 *
 * Only these are recognised: SQLSTATE 57P01 (admin shutdown / `pg_terminate_backend`), 57P02
 * (crash shutdown), 57P03 (cannot connect now: starting or shutting down), class 08
 * (connection exception); socket errors (ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT); and
 * node-postgres's own messages for a client whose connection ended.
 */

const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN']);
const MESSAGES = [/^Connection terminated/, /not queryable/, /^timeout exceeded when trying to connect/];

export function isConnectionLoss(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && (SQLSTATES.has(e.code) || e.code.startsWith('08') || SOCKET_CODES.has(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  return e.cause !== undefined && e.cause !== error && isConnectionLoss(e.cause);
}

/** Pauses before the n-th retry (1-based): 50 ms, 100 ms, 200 ms, … at most 1 s. */
export function connectionRetryDelayMs(retry: number): number {
  return Math.min(50 * 2 ** (retry - 1), 1000);
}

export interface ConnectionRetry {
  /** Runs in all, the first included (default 4). */
  attempts?: number;
  /** Asked before each retry: true stops retrying (the error is thrown). */
  giveUp?: () => boolean;
  /** Told of the first connection loss that is retried. */
  onRetry?: (error: unknown) => void;
}

/**
 * Runs `work`, and again on a fresh connection while it fails with a connection loss, pausing
 * `connectionRetryDelayMs` between runs. `work` must be safe to run again (one transaction, or
 * idempotent).
 */
export async function retryOnConnectionLoss<T>(work: () => Promise<T>, { attempts = 4, giveUp, onRetry }: ConnectionRetry = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConnectionLoss(error) || giveUp?.()) throw error;
      if (attempt === 1) onRetry?.(error);
      await new Promise((resolve) => setTimeout(resolve, connectionRetryDelayMs(attempt)));
    }
  }
}
