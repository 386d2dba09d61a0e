/**
 * A server span for every HTTP request (`GET /jobs/:id`: the method and the route pattern, never
 * the raw URL, as the HTTP semantic conventions name it), the child of the caller's W3C
 * `traceparent` when it sends one. The span is the active context from `onRequest` on, and again
 * from `preHandler` (a body is read on the socket's events, which need not run inside it), so a submission made by
 * the handler stores it with its job and the worker's item spans continue the caller's trace.
 *
 * Registered only when tracing is on (`Config.tracing`): with tracing off requests run no hook
 * of it at all. Every request but probes and scrapes, not only submissions: a poll's latency
 * belongs in the trace too, and sampling (`OTEL_TRACES_SAMPLER`) is the operator's lever on volume.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const traced = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
/** Probes and scrapes, every few seconds from the orchestrator and Prometheus: not worth a trace each. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

export const tracingPlugin = fp(async (app: FastifyInstance) => {
  const tracer = trace.getTracer('longrun');

  // Callback hooks: `done` runs the rest of the request's lifecycle inside the span's context.
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNTRACED.has(route)) return done();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const [host, port] = (request.host ?? '').split(/:(?=\d+$)/);
    const span = tracer.startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
          [ATTR_URL_PATH]: request.url.split('?', 1)[0],
          [ATTR_URL_SCHEME]: request.protocol,
          ...(host ? { [ATTR_SERVER_ADDRESS]: host } : {}),
          ...(port ? { [ATTR_SERVER_PORT]: Number(port) } : {}),
          [ATTR_CLIENT_ADDRESS]: request.ip,
          [ATTR_NETWORK_PROTOCOL_VERSION]: request.raw.httpVersion,
          ...(request.headers['user-agent'] ? { [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'] } : {}),
          'http.request.id': request.id,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    traced.set(request, { span, context: active });
    context.with(active, done);
  });

  app.addHook('preHandler', (request, reply, done) => {
    const entry = traced.get(request);
    if (entry) context.with(entry.context, done);
    else done();
  });

  app.addHook('onError', (request, reply, error, done) => {
    traced.get(request)?.span.recordException(error);
    done();
  });

  const end = (request: FastifyRequest, status: number, aborted: boolean) => {
    const entry = traced.get(request);
    if (!entry) return;
    traced.delete(request);
    const { span } = entry;
    if (aborted) {
      span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
    } else {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // Server spans: only 5xx is an error (a 4xx is the caller's).
      if (status >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
  };
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode, false);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    end(request, 0, true);
    done();
  });
});
