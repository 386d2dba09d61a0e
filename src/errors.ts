/**
 * The one catalogue of API error codes, shared by both route families.
 *
 * Each entry has its HTTP status, a default message, and the code each family puts on the wire:
 * the sourcing family speaks SNAKE_UPPER codes (`errorCode`), the content family snake_lower
 * codes (`error`). Code deep in the server throws `new AppError('not_found')`; only the
 * formatters in `server/families.ts` decide what the body looks like.
 */

interface ErrorSpec {
  status: number;
  message: string;
  /** `errorCode` in the sourcing family's envelope. */
  sourcing: string;
  /** `error` in the content family's envelope. */
  content: string;
}

export const ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.', sourcing: 'INVALID_JSON', content: 'invalid_json' },
  bad_request: { status: 400, message: 'The request is malformed.', sourcing: 'BAD_REQUEST', content: 'bad_request' },
  validation_error: {
    // The sourcing docs answer a bad field with 400, the content docs with 422.
    status: 422, message: 'The request is invalid.', sourcing: 'VALIDATION_ERROR', content: 'validation_error',
  },
  unauthorized: { status: 401, message: 'Missing or invalid API key.', sourcing: 'UNAUTHORIZED', content: 'unauthorized' },
  key_revoked: { status: 401, message: 'This API key has been revoked.', sourcing: 'UNAUTHORIZED', content: 'unauthorized' },
  insufficient_credits: {
    status: 402, message: 'Not enough credits for this request.', sourcing: 'INSUFFICIENT_CREDITS', content: 'insufficient_credits',
  },
  forbidden: { status: 403, message: 'This API key does not have the scope this route needs.', sourcing: 'FORBIDDEN', content: 'forbidden' },
  not_found: { status: 404, message: 'Not found.', sourcing: 'NOT_FOUND', content: 'not_found' },
  profile_not_found: { status: 404, message: 'No such profile.', sourcing: 'PROFILE_NOT_FOUND', content: 'not_found' },
  request_not_found: { status: 404, message: 'No such request.', sourcing: 'REQUEST_NOT_FOUND', content: 'not_found' },
  route_not_found: { status: 404, message: 'No such route.', sourcing: 'ROUTE_NOT_FOUND', content: 'not_found' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this route.', sourcing: 'METHOD_NOT_ALLOWED', content: 'method_not_allowed' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.', sourcing: 'REQUEST_TIMEOUT', content: 'request_timeout' },
  conflict: { status: 409, message: 'The request conflicts with the current state.', sourcing: 'CONFLICT', content: 'conflict' },
  // The IETF Idempotency-Key draft: 422 for a key reused with another payload, 409 while in flight.
  idempotency_key_reused: {
    status: 422, message: 'This Idempotency-Key was already used with a different request.', sourcing: 'IDEMPOTENCY_KEY_REUSED', content: 'idempotency_key_reused',
  },
  idempotency_key_in_use: {
    status: 409, message: 'A request with this Idempotency-Key is still being processed; retry shortly.', sourcing: 'IDEMPOTENCY_KEY_IN_USE', content: 'idempotency_key_in_use',
  },
  unreadable_media: {
    status: 422, message: 'The file is not a video or audio file that can be read.', sourcing: 'UNREADABLE_MEDIA', content: 'unreadable_media',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.', sourcing: 'PAYLOAD_TOO_LARGE', content: 'payload_too_large' },
  uri_too_long: { status: 414, message: 'A path segment is longer than the server accepts.', sourcing: 'URI_TOO_LONG', content: 'uri_too_long' },
  unsupported_media_type: {
    status: 415, message: 'Unsupported Content-Type.', sourcing: 'UNSUPPORTED_MEDIA_TYPE', content: 'unsupported_media_type',
  },
  header_fields_too_large: {
    status: 431, message: 'The request headers are larger than the server accepts.', sourcing: 'HEADER_FIELDS_TOO_LARGE', content: 'header_fields_too_large',
  },
  rate_limited: { status: 429, message: 'Too many requests. Retry after the time in Retry-After.', sourcing: 'RATE_LIMITED', content: 'rate_limited' },
  internal_error: { status: 500, message: 'An unexpected error occurred.', sourcing: 'INTERNAL_ERROR', content: 'internal_error' },
  service_unavailable: { status: 503, message: 'The service is not ready.', sourcing: 'SERVICE_UNAVAILABLE', content: 'service_unavailable' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** One problem with one part of a request: `entry` is the index in a bulk body, `field` a JSON path. */
export interface ErrorDetail {
  entry?: number;
  field: string;
  message: string;
}

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
