/**
 * Starts OpenTelemetry tracing for this process, when configured (`Config.tracing`): the SDK's
 * tracer provider with a batching span processor and the OTLP exporter, registered as the
 * global one with the W3C trace-context propagator and the AsyncLocalStorage context manager.
 *
 * Everything else in longrun speaks only to `@opentelemetry/api`, which is a no-op until this
 * runs: with tracing off no span is made, no context is stored with a job, and no header is sent.
 * Guarantee: `shutdown` exports the spans still buffered before it resolves, so the last
 * request's and the last item's spans are not lost at exit — but waits at most
 * `SHUTDOWN_EXPORT_MS`, so a collector that is down cannot hold the process past its grace period.
 */
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from '../config.ts';
import { otlpSpanExporter } from './exporter.ts';
import { processResource } from './resource.ts';

const SHUTDOWN_EXPORT_MS = 5_000;

export interface Tracing {
  /** Exports what is buffered and stops; the global API is a no-op again afterwards. */
  shutdown(): Promise<void>;
}

export function tracingStart(config: TracingConfig | null): Tracing | null {
  if (!config) return null;
  const provider = new NodeTracerProvider({
    resource: processResource(config.serviceName),
    // The batch processor reads OTEL_BSP_* (delay, queue and batch sizes) itself.
    spanProcessors: [new BatchSpanProcessor(otlpSpanExporter(config.protocol))],
  });
  // W3C trace context only: baggage is not something longrun carries from callers to receivers.
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_EXPORT_MS)));
      await Promise.race([provider.shutdown().catch(() => {}), gaveUp]);
      clearTimeout(timer);
      trace.disable();
      propagation.disable();
    },
  };
}
