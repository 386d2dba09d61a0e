/**
 * Per-key rate limits (`@fastify/rate-limit`): a fixed window per API key, the server default
 * unless the key has its own limit. Every limited response carries `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the window resets); a 429 adds
 * `Retry-After`.
 *
 * Not guaranteed: the counters live in this process's memory, so with several API processes
 * each enforces the limit on its own share of the traffic.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import { isPublicPath } from './auth.ts';

export const rateLimitPlugin = fp(async (app: FastifyInstance, opts: { max: number; windowMs: number }) => {
  await app.register(rateLimit, {
    global: true,
    // After authentication (an app-level onRequest hook), before the body is read.
    hook: 'onRequest',
    timeWindow: opts.windowMs,
    max: (request) => request.auth?.rateLimit ?? opts.max,
    keyGenerator: (request) => request.auth?.keyId ?? `ip:${request.ip}`,
    allowList: (request) => isPublicPath(request.routeOptions.url ?? request.url),
    errorResponseBuilder: (_request, context) => new AppError('rate_limited', `Rate limit of ${context.max} requests exceeded; retry in ${context.after}.`),
  });
});
