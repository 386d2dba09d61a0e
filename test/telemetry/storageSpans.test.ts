/**
 * The bucket's calls in a trace: with the SDK and an in-memory exporter, each S3 command the
 * storage sends (to a local s3rver) is a client span named by its operation, the child of the
 * span active when it was made (an item's), with the bucket and key; a failed one is an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openStorage } from '../../src/storage/open.ts';
import { startLocalS3, type LocalS3 } from '../helpers/s3.ts';
import { tempDir } from '../helpers/testServer.ts';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

let s3: LocalS3;
let dir: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  dir = tempDir('longrun-s3-spans-');
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await provider.shutdown();
});

describe('S3 calls as spans', () => {
  it('makes a client span per command under the active span, with the bucket and key', async () => {
    const storage = openStorage(loadConfig({ dataDir: dir }, s3.env('spans')).storage, path.join(dir, 'data'));
    const parent = trace.getTracer('test').startSpan('process k');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await storage.put('a/b.txt', Buffer.from('hello'));
      expect(await storage.size('a/b.txt')).toBe(5);
      expect(await storage.size('a/missing.txt')).toBeNull();
      await storage.delete('a/b.txt');
    });
    parent.end();

    const calls = exporter.getFinishedSpans().filter((s) => s.name.startsWith('S3.'));
    // The put reads the stored size back (its HEAD), then the two sizes asked.
    expect(calls.map((s) => s.name)).toEqual(['S3.PutObject', 'S3.HeadObject', 'S3.HeadObject', 'S3.HeadObject', 'S3.DeleteObject']);
    for (const call of calls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(call.attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'aws.s3.bucket': 'longrun' });
    }
    expect(calls[0]!.attributes).toMatchObject({ 'rpc.method': 'PutObject', 'aws.s3.key': 'spans/a/b.txt', 'http.response.status_code': 200 });
    expect(calls[2]!.status.code).toBe(SpanStatusCode.UNSET);
    // The missing object's HEAD: 404, an error for the client whatever the storage makes of it.
    expect(calls[3]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(calls[3]!.attributes).toMatchObject({ 'aws.s3.key': 'spans/a/missing.txt', 'http.response.status_code': 404 });
  });
});
