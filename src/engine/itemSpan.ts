/**
 * The consumer side of a job's trace: one span per item processed (`process <kind>`, kind
 * CONSUMER, messaging semantic conventions), a child of the submission's `create <kind>` span
 * whose context the job stores (`submitSpan.ts`), in whichever process runs the item. It is the
 * active span while the kind's processor runs, so the spans of its outgoing calls (the text
 * provider, ffmpeg, webhook POSTs) nest under it and their `traceparent` headers name it.
 *
 * Child rather than link: a job is one message with one consumer, and a trace that goes from
 * the HTTP request through the worker to the webhook in one tree is what an operator follows
 * (the conventions allow either for single-message processing).
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ItemOutcome } from './sql/itemCheckpoint.ts';
import type { StartedItem } from './sql/itemStartNext.ts';
import type { HeldJob } from './sql/jobsClaim.ts';
import { engineTracer, storedTraceContext } from './submitSpan.ts';

export function itemTraced(job: HeldJob, item: StartedItem, run: () => Promise<ItemOutcome>): Promise<ItemOutcome> {
  const parent = storedTraceContext(job.trace_context);
  const span = engineTracer.startSpan(`process ${job.kind}`, { kind: SpanKind.CONSUMER }, parent);
  if (!span.isRecording()) {
    // Tracing off: nothing more (`npm run bench -- tracing`, noop). A trace sampled out still
    // passes its context to the processor's calls, so their receivers drop their part too.
    return trace.isSpanContextValid(span.spanContext()) ? context.with(trace.setSpan(parent, span), run) : run();
  }
  span.setAttributes({
    'messaging.system': 'longrun',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': job.kind,
    'messaging.message.id': job.id,
    'longrun.job.id': job.id,
    'longrun.job.kind': job.kind,
    'longrun.org.id': job.org_id,
    'longrun.item.key': item.key,
    'longrun.item.attempt': item.attempts,
    // From the job's run time (its submission, unless scheduled for later) to this item's start:
    // for its first item the job's wait in the queue, as longrun_job_queue_wait_seconds counts it.
    'longrun.job.queue_wait_ms': Math.max(0, Date.now() - Date.parse(job.run_at)),
  });
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      const outcome = await run();
      span.setAttribute('longrun.item.outcome', outcome.type);
      if (outcome.type === 'failed' || outcome.type === 'retry') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.message });
        span.setAttribute('error.type', outcome.code);
      }
      if (outcome.type === 'retry') span.setAttribute('longrun.item.retry_in_ms', outcome.delayMs);
      return outcome;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
