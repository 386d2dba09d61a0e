/**
 * What a processor throws to say how an item failed. Only errors known to be temporary are
 * retried; anything else a processor throws fails its item at once with `INTERNAL_ERROR`
 * (one bad item never takes its batch down).
 */

/** Temporary: the item is tried again with backoff, up to the kind's `maxAttempts`. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(
    readonly code: string,
    message: string,
    /** Wait at least this long before the next attempt (e.g. a Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Permanent: the item fails now with this code; retrying would give the same answer. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The item ran past its kind's time budget. Retryable. */
export class ItemTimeoutError extends RetryableError {
  override name = 'ItemTimeoutError';
  constructor(budgetMs: number) {
    super('TIMEOUT', `The item did not finish within its time budget of ${budgetMs} ms.`);
  }
}

/** A fault in a kind's own code outside item processing (e.g. its `finish`): fails the whole job. */
export class KindFault extends Error {
  override name = 'KindFault';
  constructor(readonly causeError: unknown) {
    super(`job kind failed: ${causeError instanceof Error ? causeError.message : String(causeError)}`);
  }
}
