/**
 * The server's own origin as the client reached it, for absolute URLs in answers (`Location`,
 * signed `outputUrl`s): the request's Host and protocol. There is no trusted-proxy setting: a
 * server behind a TLS-terminating proxy answers `http://` URLs unless the proxy keeps the scheme.
 */
import type { FastifyRequest } from 'fastify';

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
