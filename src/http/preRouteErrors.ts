/**
 * Errors raised before any route runs, answered in the family envelope of the path they name:
 *
 * - Fastify's `frameworkErrors` (the router's own refusals): a path whose percent-encoding does
 *   not decode (`/profiles/%ff`) is 400, a path parameter over `maxParamLength` is 414;
 * - Fastify's `clientErrorHandler` (Node's HTTP parser refused the request): headers too large
 *   are 431, a request that did not arrive in time 408, anything else malformed 400. The path is
 *   read from the request line in the bytes that did arrive, when there is one.
 *
 * Not guaranteed: a client error answers on a socket that is then closed, so the answer is lost
 * if the client has already gone (Node gives no `ECONNRESET` answer, and neither do we).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { errorBody, familyOf, sendError } from './envelopes.ts';

/** Fastify's `frameworkErrors` option. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  const appError = routerError(error, request);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed before routing');
  else request.log.info({ code: appError.code, message: appError.message }, 'request rejected before routing');
  void sendError(reply, appError);
}

function routerError(error: FastifyError, request: FastifyRequest): AppError {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError('bad_request', `The path ${shortPath(request.url)} has a malformed percent-encoding.`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', `A path segment of ${shortPath(request.url)} is longer than the ${MAX_PARAM_LENGTH} characters accepted.`);
    default:
      return new AppError('internal_error', `An unexpected error occurred (request id ${request.id}).`);
  }
}

/** Fastify's own default, named here so the 414 message can state it. */
export const MAX_PARAM_LENGTH = 100;

/** The path as sent, cut short: a message must not echo a 64 KiB URL back. */
function shortPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > 80 ? `${path.slice(0, 80)}…` : path;
}

/** Fastify's `clientErrorHandler` option: Fastify's default, with the body in the family envelope. */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('header_fields_too_large')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('request_timeout')
        : new AppError('bad_request', 'The HTTP request is malformed.');
  const body = JSON.stringify(errorBody(familyOf(requestTarget(error.rawPacket)), appError.code, appError.message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${appError.status} ${http.STATUS_CODES[appError.status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * The request target of the request line in the bytes that arrived, or '/' if there is none.
 * (Node gives the bytes as a Buffer; Fastify's type says otherwise.)
 */
function requestTarget(raw: unknown): string {
  const line = Buffer.isBuffer(raw) ? (raw.subarray(0, 8192).toString('latin1').split('\r\n', 1)[0] ?? '') : '';
  const target = /^[A-Z]+ (\/\S*)/.exec(line)?.[1];
  return target ?? '/';
}
