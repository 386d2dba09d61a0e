/**
 * A client span for one outgoing HTTP request (HTTP semantic conventions: named by its method,
 * kind CLIENT), a child of the active span — the item being processed — and the W3C
 * `traceparent` (and `tracestate`) naming it, for the request's headers, so the receiver can
 * continue the trace. With tracing off both are no-ops: no span, no header.
 *
 * The URL is recorded without its query or credentials: a webhook URL or a provider's may carry
 * a secret in either.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';

/** A proxy that finds the SDK's tracer once it is registered. */
const tracer = trace.getTracer('longrun');

export interface HttpClientSpan {
  /** The trace-context headers to send (empty with tracing off). */
  headers: Record<string, string>;
  /** Ends the span with the answer's status (4xx and 5xx are errors for a client), or the error that stopped it. */
  end(outcome: { status: number } | { error: unknown }): void;
}

export function httpClientSpanStart(method: string, url: URL, attempt = 1): HttpClientSpan {
  const parent = context.active();
  const span: Span = tracer.startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_FULL]: `${url.protocol}//${url.host}${url.pathname}`,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
        ...(attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: attempt - 1 } : {}),
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  // A span sampled out still passes its context on (flag 00), so the receiver drops its part too.
  if (trace.isSpanContextValid(span.spanContext())) propagation.inject(trace.setSpan(parent, span), headers);
  if (!span.isRecording()) return { headers, end: () => {} };
  return {
    headers,
    end(outcome) {
      if ('status' in outcome) {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
        if (outcome.status >= 400) {
          span.setAttribute(ATTR_ERROR_TYPE, String(outcome.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      } else {
        const error = outcome.error as Error & { code?: string };
        span.setAttribute(ATTR_ERROR_TYPE, error?.code ?? error?.name ?? 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
      }
      span.end();
    },
  };
}
