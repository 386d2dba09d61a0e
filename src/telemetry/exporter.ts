/**
 * The OTLP span exporter for the configured transport: protobuf over HTTP (the OpenTelemetry
 * default) or JSON over HTTP. Each exporter reads the rest of its settings from the standard
 * variables itself (`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `…_HEADERS`, `…_TIMEOUT`,
 * `…_COMPRESSION`), so longrun neither parses nor documents them twice.
 */
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from '../config.ts';

export function otlpSpanExporter(protocol: TracingConfig['protocol']): SpanExporter {
  return protocol === 'http/json' ? new OtlpHttpJsonExporter() : new OtlpHttpProtobufExporter();
}
