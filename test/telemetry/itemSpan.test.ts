/**
 * The item span in one process, with the SDK and an in-memory exporter: it continues the job's
 * stored context, is the active span while the processor runs (a span the processor makes is
 * its child), and records the outcome — error status and code on a failure or a retry.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/engine/errors.ts';
import { JobStop } from '../../src/engine/jobStop.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { processItem } from '../../src/engine/processItem.ts';
import type { HeldJob } from '../../src/engine/sql/jobsClaim.ts';
import { silentLog } from '../helpers/testEngine.ts';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register({ propagator: new W3CTraceContextPropagator() });
afterAll(() => provider.shutdown());
beforeEach(() => exporter.reset());

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CREATE_SPAN = '00f067aa0ba902b7';
const job: HeldJob = {
  id: 'job_1',
  org_id: 'org_1',
  kind: 'k',
  queue: null,
  input: '{}',
  run_at: '2026-01-01T00:00:00.000Z',
  created_at: new Date(Date.now() - 1500).toISOString(),
  attempts: 1,
  items_total: 1,
  items_succeeded: 0,
  items_failed: 0,
  last_event_seq: 2,
  trace_context: JSON.stringify({ traceparent: `00-${TRACE}-${CREATE_SPAN}-01` }),
};
const item = { job_id: 'job_1', seq: 0, key: 'only', input: null, attempts: 2 };

describe('the item span', () => {
  it('continues the stored context and is active while the processor runs', async () => {
    const kind = defineKind({
      name: 'k',
      async process() {
        trace.getTracer('test').startSpan('inside').end();
        return 'ok';
      },
    });
    expect(await processItem(kind, job, item, new JobStop(), silentLog)).toEqual({ type: 'succeeded', result: 'ok' });
    const spans = exporter.getFinishedSpans();
    const processing = spans.find((s) => s.name === 'process k')!;
    const inside = spans.find((s) => s.name === 'inside')!;
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.spanContext().traceId).toBe(TRACE);
    expect(processing.parentSpanContext?.spanId).toBe(CREATE_SPAN);
    expect(inside.parentSpanContext?.spanId).toBe(processing.spanContext().spanId);
    expect(processing.attributes).toMatchObject({
      'longrun.job.id': 'job_1',
      'longrun.item.key': 'only',
      'longrun.item.attempt': 2,
      'longrun.item.outcome': 'succeeded',
    });
    expect(processing.attributes['longrun.job.queue_wait_ms']).toBeGreaterThanOrEqual(1500);
    expect(processing.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks a failed item and a retried one as errors with their codes', async () => {
    const failing = defineKind({
      name: 'k',
      async process() {
        throw new PermanentError('BAD_INPUT', 'the input is wrong');
      },
    });
    const flaky = defineKind({
      name: 'k',
      maxAttempts: 5,
      async process() {
        throw new RetryableError('UPSTREAM_DOWN', 'try later');
      },
    });
    expect((await processItem(failing, job, item, new JobStop(), silentLog)).type).toBe('failed');
    expect((await processItem(flaky, job, item, new JobStop(), silentLog)).type).toBe('retry');
    const [failed, retried] = exporter.getFinishedSpans();
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the input is wrong' });
    expect(failed!.attributes).toMatchObject({ 'error.type': 'BAD_INPUT', 'longrun.item.outcome': 'failed' });
    expect(retried!.status.code).toBe(SpanStatusCode.ERROR);
    expect(retried!.attributes).toMatchObject({ 'error.type': 'UPSTREAM_DOWN', 'longrun.item.outcome': 'retry' });
    expect(retried!.attributes['longrun.item.retry_in_ms']).toEqual(expect.any(Number));
  });

  it('starts a trace of its own for a job stored without a context', async () => {
    const kind = defineKind({ name: 'k', process: async () => null });
    await processItem(kind, { ...job, trace_context: null }, item, new JobStop(), silentLog);
    const [span] = exporter.getFinishedSpans();
    expect(span!.spanContext().traceId).not.toBe(TRACE);
    expect(span!.parentSpanContext).toBeUndefined();
  });
});
