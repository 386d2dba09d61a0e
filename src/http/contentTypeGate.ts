/**
 * A route hook that refuses a body of a type the route does not take, with 415, before the body
 * is read: a JSON or text body sent to an upload route must not be parsed first (up to the
 * route's body limit, which for uploads is large) only to be refused afterwards.
 *
 * A request without a body (no Content-Length, or 0, and no Transfer-Encoding) passes: the route
 * says what it misses.
 */
import type { onRequestHookHandler } from 'fastify';
import { AppError } from '../errors.ts';

export function acceptContentTypes(types: readonly string[]): onRequestHookHandler {
  const accepted = new Set(types.map((t) => t.toLowerCase()));
  const list = types.join(', ');
  return (request, _reply, done) => {
    const headers = request.headers;
    const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
    if (!hasBody) return done();
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (accepted.has(type)) return done();
    done(new AppError('unsupported_media_type', `Content-Type ${type || '(none)'} is not accepted here; send ${list}.`));
  };
}
