/**
 * A client span per S3 call (the AWS SDK semantic conventions: `S3.PutObject`, kind CLIENT,
 * `rpc.system=aws-api`), the child of the active span — the item whose upload, render or
 * cleanup made it — so a trace shows the bucket's share of an item's time. Added to the S3
 * client's middleware stack, so every command is one span however it is sent (a multipart
 * upload's parts each their own). With tracing off the span is the API's no-op one.
 *
 * No `traceparent` is sent: the bucket is not a party to the trace, and a signed request's
 * headers are part of its signature.
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { S3Client } from '@aws-sdk/client-s3';

const tracer = trace.getTracer('longrun');

export function traceS3Calls(client: S3Client, bucket: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // `PutObjectCommand` → `PutObject`.
      const method = (context.commandName ?? 'Command').replace(/Command$/, '');
      const span = tracer.startSpan(`S3.${method}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': method, 'aws.s3.bucket': bucket },
      });
      if (!span.isRecording()) return next(args);
      const key = (args.input as { Key?: unknown } | undefined)?.Key;
      if (typeof key === 'string') span.setAttribute('aws.s3.key', key);
      try {
        const result = await next(args);
        const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        return result;
      } catch (error) {
        const err = error as Error & { $metadata?: { httpStatusCode?: number } };
        if (err.$metadata?.httpStatusCode) span.setAttribute('http.response.status_code', err.$metadata.httpStatusCode);
        span.setAttribute('error.type', err.name ?? 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
        throw error;
      } finally {
        span.end();
      }
    },
    { step: 'initialize', name: 'longrunTraceSpan' },
  );
}
