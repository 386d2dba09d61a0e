/**
 * Turns every failure into its family's error envelope: our own `AppError`s, Fastify's parse
 * and validation errors, unknown routes (404) and known paths with the wrong method (405).
 *
 * Guarantees: no error reaches the client as a stack trace or an HTML page; an unexpected error
 * is a 500 whose message carries the request ID (and nothing else: no database message, host or
 * SQLSTATE), with the stack in the log only. That holds for errors thrown in a route's `onSend`
 * hooks too (see `guardOnSend`).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, isAppError } from '../../errors.ts';
import { StorageUnavailableError } from '../../storage/storage.ts';
import { InsufficientCreditsError } from '../../store/ledger.ts';
import { errorBody, familyOf, sendError, validationStatus } from '../envelopes.ts';

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** "body.limit must be <= 50; body.title is required" */
export function describeValidation(context: string | undefined, errors: AjvError[]): string {
  const parts = errors.map((e) => {
    const where = [context ?? 'body', ...(e.instancePath ?? '').split('/').filter(Boolean)].join('.');
    if (e.keyword === 'required') return `${where}.${String(e.params?.missingProperty)} is required`;
    if (e.keyword === 'additionalProperties') return `${where}.${String(e.params?.additionalProperty)} is not an accepted field`;
    return `${where} ${e.message ?? 'is invalid'}`;
  });
  return [...new Set(parts)].join('; ');
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (isAppError(error)) return error;
  if (error instanceof InsufficientCreditsError) return new AppError('insufficient_credits', error.message);
  if (error instanceof StorageUnavailableError) return new AppError('service_unavailable', 'The file storage cannot be reached; try again shortly.');
  if (error.validation) {
    const status = validationStatus(familyOf(request.url));
    return new AppError('validation_error', describeValidation(error.validationContext, error.validation as AjvError[]), status);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', `The request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', `Unsupported Content-Type: ${request.headers['content-type'] ?? '(none)'}.`);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE': // @fastify/multipart says 406; the body's type is what is wrong
      return new AppError('unsupported_media_type', `Unsupported Content-Type: ${request.headers['content-type'] ?? '(none)'}; send multipart/form-data.`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'The body is empty but Content-Type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', `The request body is not valid JSON: ${error.message}`);
  }
  if (error instanceof SyntaxError) return new AppError('invalid_json', `The request body is not valid JSON: ${error.message}`);
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError('payload_too_large');
  if (status === 415) return new AppError('unsupported_media_type');
  if (status >= 400 && status < 500) return new AppError('bad_request', error.message, status);
  return internalError(request);
}

function internalError(request: FastifyRequest): AppError {
  return new AppError('internal_error', `An unexpected error occurred (request id ${request.id}).`);
}

type OnSendHook = (
  this: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done?: (err: Error | null, value?: unknown) => void,
) => unknown;
const guarded = new WeakSet<OnSendHook>();

/**
 * A route's `onSend` hook whose error becomes the family's 500 envelope. Why: Fastify passes an
 * error thrown in `onSend` to the next error handler up the chain, and when the answer was
 * already an error (ours ran), that is Fastify's default handler, whose body carries the raw
 * error: a database's message and SQLSTATE (found by terminating PostgreSQL connections).
 */
function guardOnSend(hook: OnSendHook): OnSendHook {
  if (guarded.has(hook)) return hook;
  const wrapped: OnSendHook = function (this: FastifyInstance, request, reply, payload) {
    const run = new Promise<unknown>((resolve, reject) => {
      const result = hook.call(this, request, reply, payload, (err, value) => (err ? reject(err) : resolve(value)));
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function')
        (result as PromiseLike<unknown>).then(resolve, reject);
    });
    return run.catch((error: unknown) => {
      request.log.error({ err: error }, 'a hook after the handler failed');
      const appError = internalError(request);
      reply.code(appError.status).type('application/json; charset=utf-8');
      return JSON.stringify(errorBody(familyOf(request.url), appError.code, appError.message));
    });
  };
  guarded.add(wrapped);
  return wrapped;
}

/**
 * Guards every `onSend` hook of a route, including those other plugins' `onRoute` hooks add
 * after this one has run (they assign `route.onSend`; the accessor wraps what they assign).
 */
function guardRouteOnSend(route: RouteOptions): void {
  const list = (hooks: unknown): OnSendHook[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]) as OnSendHook[];
  let hooks = list(route.onSend).map(guardOnSend);
  Object.defineProperty(route, 'onSend', {
    configurable: true,
    enumerable: true,
    get: () => hooks,
    set: (value: unknown) => (hooks = list(value).map(guardOnSend)),
  });
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRoute', guardRouteOnSend);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code, message: appError.message }, 'request rejected');
    return sendError(reply, appError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, new AppError('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`));
    }
    return sendError(reply, new AppError('route_not_found', `No route ${request.method} ${path}.`));
  });
});
