/**
 * `LongrunError`: every failed call of the client, with the HTTP status, the error code and the
 * message of the server's answer, whichever family's envelope it came in — sourcing
 * (`{success: false, errorCode, errorMessage}`) or content (`{success: false, error, message}`).
 * A server that could not be reached is status 0, code `connection_failed`; an answer that is
 * not an envelope keeps its status with code `unexpected_response`.
 */
import type { ErrorCode, ErrorDetail, ERRORS } from '../http/schemas.ts';

/** The codes the server's catalogue (`ERRORS` in src/http/schemas.ts) puts on the wire, in either family. */
export type ApiErrorCode = (typeof ERRORS)[ErrorCode]['content'] | (typeof ERRORS)[ErrorCode]['sourcing'];
/** Codes the client itself gives when there is no envelope to read. */
export type ClientErrorCode = 'connection_failed' | 'unexpected_response';

export class LongrunError extends Error {
  override name = 'LongrunError';

  constructor(
    /** The HTTP status; 0 when no answer arrived. */
    readonly status: number,
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    readonly extra: {
      /** Which envelope the answer used, when it used one. */
      family?: 'sourcing' | 'content';
      /** Per-field problems (e.g. each bad entry of a profile import). */
      details?: ErrorDetail[];
      /** `Retry-After` of a 429 or 503, in seconds. */
      retryAfterSeconds?: number;
      /** `x-request-id` of the answer, for the server's log. */
      requestId?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
  }

  get family(): 'sourcing' | 'content' | undefined {
    return this.extra.family;
  }

  get details(): ErrorDetail[] | undefined {
    return this.extra.details;
  }

  get retryAfterSeconds(): number | undefined {
    return this.extra.retryAfterSeconds;
  }

  get requestId(): string | undefined {
    return this.extra.requestId;
  }
}

type Envelope = { errorCode?: unknown; errorMessage?: unknown; error?: unknown; message?: unknown; details?: unknown };

/** Reads a non-2xx answer into a LongrunError; `text` is its body as received. */
export function errorFromAnswer(status: number, headers: Headers, text: string): LongrunError {
  const retryAfter = Number(headers.get('retry-after') ?? NaN);
  const common = {
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
    requestId: headers.get('x-request-id') ?? undefined,
  };
  let body: Envelope | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Envelope;
  } catch {
    body = undefined;
  }
  const details = Array.isArray(body?.details) ? (body.details as ErrorDetail[]) : undefined;
  if (body && typeof body.errorCode === 'string') {
    const message = typeof body.errorMessage === 'string' ? body.errorMessage : `HTTP ${status}`;
    return new LongrunError(status, body.errorCode as ApiErrorCode, message, { ...common, family: 'sourcing', details });
  }
  if (body && typeof body.error === 'string') {
    const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
    return new LongrunError(status, body.error as ApiErrorCode, message, { ...common, family: 'content', details });
  }
  const snippet = text.trim().slice(0, 200);
  return new LongrunError(status, 'unexpected_response', `HTTP ${status}${snippet ? `: ${snippet}` : ''}`, common);
}

/** A fetch that threw before any answer: the server is down, the name does not resolve, … */
export function connectionError(url: string, cause: unknown): LongrunError {
  const reason = (cause as { cause?: { code?: string; message?: string } })?.cause;
  const why = reason?.code ?? reason?.message ?? (cause instanceof Error ? cause.message : String(cause));
  return new LongrunError(0, 'connection_failed', `cannot reach ${url}: ${why}`, { cause });
}
