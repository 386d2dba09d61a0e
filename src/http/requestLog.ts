/**
 * Fastify's per-request log lines ("incoming request", "request completed"), at debug for the
 * requests a client repeats while it waits — status polls and long-polls (every GET route that
 * takes `?wait=`), event streams, health probes and scrapes (routes with `config.quietLog`), and
 * any GET sent with `X-Longrun-Poll: 1` (the dashboard's timed refreshes of a list or its
 * overview: only where a request's lines are written changes, never what it may do) —
 * and at info for the rest, as Fastify logs them. A walk-through that polls a job logged 313
 * lines at info before (issue 29); its submissions and their answers are what is left.
 *
 * A quiet request that errors (a 5xx, a stream cut) is still logged at error or warn: only its
 * two ordinary lines move to debug.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Repeated by clients as they wait or probe: its request lines are logged at debug. */
    quietLog?: boolean;
  }
}

/** The header a client sends with a read it repeats on its own (the dashboard's refreshes). */
export const POLL_HEADER = 'x-longrun-poll';

/** A GET a client repeats: marked `quietLog`, a status route taking `?wait=`, or sent as a poll. */
export function isQuietRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.headers[POLL_HEADER] === '1') return true;
  const { config, schema } = request.routeOptions;
  if (config?.quietLog) return true;
  const query = schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return query?.properties?.wait !== undefined;
}

export class RequestLog extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (isQuietRequest(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && isQuietRequest(request)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else super.requestCompleted(error, request, reply);
  }
}
