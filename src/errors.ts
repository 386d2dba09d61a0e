/**
 * `AppError`: an error the API reports as it is. Code deep in the server throws
 * `new AppError('not_found')`; only the formatters in `http/envelopes.ts` decide what the body
 * looks like. The catalogue of codes (`ERRORS`) lives with the envelopes that carry them, in
 * http/schemas.ts, where the typed client can read it without loading the server.
 */
import { ERRORS, type ErrorCode, type ErrorDetail } from './http/schemas.ts';

export { ERRORS, type ErrorCode, type ErrorDetail };

/** An error the API reports to its caller as it is: a code from the catalogue and a message. */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** Overrides the status of the catalogue, e.g. 400 for a sourcing-family validation error. */
    status?: number,
    /** Per-field problems, e.g. one per invalid entry of a bulk import; sent as `details`. */
    readonly details?: ErrorDetail[],
  ) {
    super(message ?? ERRORS[code].message);
    this.status = status ?? ERRORS[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
