/**
 * The item span in one process, with the SDK and an in-memory exporter: it continues the job's
 * stored context, is the active span while the processor runs (a span the processor makes is
 * its child, as are its ffmpeg and ffprobe runs and a download's requests), and records the
 * outcome — error status and code on a failure or a retry — and the job's queue wait from its
 * run time.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/engine/errors.ts';
import { runTool } from '../../src/families/clips/run.ts';
import { locateMediaTools } from '../../src/media/binaries.ts';
import { fetchToFile } from '../../src/net/fetchToFile.ts';
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
  // Submitted an hour ago for a run 1.5 s ago: its queue wait is from its run time.
  run_at: new Date(Date.now() - 1500).toISOString(),
  created_at: new Date(Date.now() - 3_600_000).toISOString(),
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
      'messaging.system': 'longrun',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'k',
      'messaging.message.id': 'job_1',
      'longrun.job.id': 'job_1',
      'longrun.org.id': 'org_1',
      'longrun.item.key': 'only',
      'longrun.item.attempt': 2,
      'longrun.item.outcome': 'succeeded',
    });
    const queueWait = processing.attributes['longrun.job.queue_wait_ms'] as number;
    expect(queueWait).toBeGreaterThanOrEqual(1500);
    expect(queueWait).toBeLessThan(60_000); // not the hour since its submission
    expect(processing.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('has the processor’s ffmpeg and ffprobe runs as child spans, with no presigned URL’s signature in them', async () => {
    const tools = locateMediaTools({ ffmpegPath: null, ffprobePath: null });
    const kind = defineKind({
      name: 'k',
      async process() {
        expect((await runTool(tools.ffprobe.path, ['-version'])).code).toBe(0);
        // A storage's presigned GET: its query is a credential for the object, not for the trace store.
        expect((await runTool(tools.ffmpeg.path, ['-hide_banner', '-i', 'http://127.0.0.1:9/source.mp4?X-Amz-Signature=s3cr3t'])).code).not.toBe(0);
        return null;
      },
    });
    await processItem(kind, job, item, new JobStop(), silentLog);
    const spans = exporter.getFinishedSpans();
    const processing = spans.find((s) => s.name === 'process k')!;
    const probe = spans.find((s) => s.name === 'ffprobe')!;
    const render = spans.find((s) => s.name === 'ffmpeg')!;
    for (const run of [probe, render]) {
      expect(run.spanContext().traceId).toBe(TRACE);
      expect(run.parentSpanContext?.spanId).toBe(processing.spanContext().spanId);
    }
    expect(probe.attributes).toMatchObject({ 'process.executable.name': 'ffprobe', 'process.command_args': ['ffprobe', '-version'], 'process.exit.code': 0 });
    expect(probe.status.code).toBe(SpanStatusCode.UNSET);
    expect(render.attributes['process.command_args']).toEqual(['ffmpeg', '-hide_banner', '-i', 'http://127.0.0.1:9/source.mp4?…']);
    expect(render.attributes['process.exit.code']).not.toBe(0);
    expect(render.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('has a download’s requests as client spans, sending no traceparent to the host a caller named', async () => {
    const received: (string | string[] | undefined)[] = [];
    const host = http.createServer((req, res) => {
      received.push(req.headers.traceparent);
      if (req.url === '/moved') res.writeHead(302, { location: '/video.mp4' }).end();
      else res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(1000));
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-download-'));
    try {
      const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      const kind = defineKind({
        name: 'k',
        async process() {
          await fetchToFile(`${base}/moved`, path.join(dir, 'video.mp4'), { allowHttp: true, allowPrivate: true, maxBytes: 10_000, timeoutMs: 5_000 });
          return null;
        },
      });
      await processItem(kind, job, item, new JobStop(), silentLog);
    } finally {
      await new Promise((resolve) => host.close(resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const spans = exporter.getFinishedSpans();
    const processing = spans.find((s) => s.name === 'process k')!;
    const gets = spans.filter((s) => s.name === 'GET');
    expect(gets.map((s) => [s.kind, s.parentSpanContext?.spanId, s.attributes['url.full'], s.attributes['http.response.status_code']])).toEqual([
      [SpanKind.CLIENT, processing.spanContext().spanId, expect.stringMatching(/\/moved$/), 302],
      [SpanKind.CLIENT, processing.spanContext().spanId, expect.stringMatching(/\/video\.mp4$/), 200],
    ]);
    expect(received).toEqual([undefined, undefined]);
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
