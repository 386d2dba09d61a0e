/**
 * The two route families and their error envelopes (`../shared/CONTRACTS.md`).
 *
 * - sourcing (`/profiles`, `/sourcing`): `{success: false, errorCode: "SNAKE_UPPER", errorMessage}`
 * - content (everything else, including the generic `/jobs`, `/credits` and `/webhooks` routes):
 *   `{success: false, error: "snake_lower", message}`
 *
 * A route's family is decided by its path, so an unknown route or a body that fails before any
 * handler runs still gets the envelope its neighbours use. The path is read the way the router
 * reads it, percent-decoded (`/%70rofiles/x` is routed to `/profiles/:id`, so it is sourcing); a
 * first segment that does not decode (`/%ff/x`) routes nowhere and gets the content envelope.
 */
import type { FastifyReply } from 'fastify';
import { ERRORS, type AppError, type ErrorCode, type ErrorDetail } from '../errors.ts';

export type Family = 'sourcing' | 'content';

const SOURCING_ROOTS = new Set(['profiles', 'sourcing']);

export function familyOf(url: string): Family {
  // An absolute-form request target (`GET http://host/profiles/x`) is routed by its path.
  const path = url.startsWith('/') ? url : url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i, '');
  const root = path.split(/[/?#]/, 2)[1] ?? '';
  return SOURCING_ROOTS.has(decodedSegment(root)) ? 'sourcing' : 'content';
}

/** `decodeURIComponent` that never throws: a malformed escape leaves the segment as it came. */
function decodedSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The status a validation error gets: the sourcing docs use 400, the content docs 422. */
export function validationStatus(family: Family): number {
  return family === 'sourcing' ? 400 : 422;
}

export interface SourcingErrorBody {
  success: false;
  errorCode: string;
  errorMessage: string;
  details?: ErrorDetail[];
}

export interface ContentErrorBody {
  success: false;
  error: string;
  message: string;
  details?: ErrorDetail[];
}

export function errorBody(family: Family, code: ErrorCode, message: string, details?: ErrorDetail[]): SourcingErrorBody | ContentErrorBody {
  const extra = details && details.length > 0 ? { details } : {};
  return family === 'sourcing'
    ? { success: false, errorCode: ERRORS[code].sourcing, errorMessage: message, ...extra }
    : { success: false, error: ERRORS[code].content, message, ...extra };
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  const family = familyOf(reply.request.url);
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send(errorBody(family, error.code, error.message, error.details));
}
