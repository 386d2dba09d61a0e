/**
 * The producer side of a job's trace: a `create <kind>` span (kind PRODUCER, messaging semantic
 * conventions) around a submission, and the context the job stores (`jobs.trace_context`, the
 * W3C `traceparent`/`tracestate` as JSON) so that its items' spans, in whichever process runs
 * them, are this span's children.
 *
 * With tracing off (`@opentelemetry/api` without an SDK) the span is the API's no-op one and the
 * stored context is null: a submission pays two calls into no-op objects, nothing more.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';

export const TRACER_NAME = 'longrun';
/** One tracer for the engine: a proxy that finds the SDK's once it is registered. */
export const engineTracer = trace.getTracer(TRACER_NAME);

export interface SubmitSpan {
  /** What the job stores: null when nothing is traced. */
  traceContext: string | null;
  /** Ends the span when `work` settles (error status if it fails); `work`'s outcome unchanged. */
  around<T>(work: Promise<T>): Promise<T>;
}

/** The context a stored `trace_context` names (the root context when there is none). */
export function storedTraceContext(stored: string | null | undefined): Context {
  if (!stored) return ROOT_CONTEXT;
  try {
    return propagation.extract(ROOT_CONTEXT, JSON.parse(stored) as Record<string, string>);
  } catch {
    return ROOT_CONTEXT; // a damaged value starts a new trace rather than failing the job
  }
}

export function submitSpanStart(kind: string, jobId: string, items: number, continues: string | null | undefined): SubmitSpan {
  const parent = continues === undefined ? context.active() : storedTraceContext(continues);
  const span = engineTracer.startSpan(`create ${kind}`, { kind: SpanKind.PRODUCER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': 'longrun',
      'messaging.operation.type': 'create',
      'messaging.operation.name': 'create',
      'messaging.destination.name': kind,
      'messaging.message.id': jobId,
      'longrun.job.id': jobId,
      'longrun.job.kind': kind,
      'longrun.job.items': items,
    });
  }
  const carrier: Record<string, string> = {};
  // A span sampled out still passes its context on (flag 00), so the worker's spans are dropped too.
  if (trace.isSpanContextValid(span.spanContext())) propagation.inject(trace.setSpan(parent, span), carrier);
  return {
    traceContext: carrier.traceparent ? JSON.stringify(carrier) : null,
    around(work) {
      if (!span.isRecording()) return work; // tracing off: not even a promise more
      return work.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          span.setAttribute('error.type', (error as { code?: string }).code ?? (error as Error).name ?? 'Error');
          span.end();
          throw error;
        },
      );
    },
  };
}
