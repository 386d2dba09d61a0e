/**
 * Who emits the spans: `service.name` (`OTEL_SERVICE_NAME`, default `longrun`), the version,
 * and this process (a fresh `service.instance.id`, the host and the PID), so two processes of
 * one cluster — an API server and a worker — are told apart in a trace.
 * `OTEL_RESOURCE_ATTRIBUTES` adds to these (a `service.name` in it loses to `OTEL_SERVICE_NAME`).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { VERSION } from '../version.ts';

export function processResource(serviceName: string): Resource {
  // The environment's attributes first, ours merged over them (incoming attributes win a merge).
  return detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      [ATTR_SERVICE_VERSION]: VERSION,
      'service.instance.id': crypto.randomUUID(),
      'host.name': os.hostname(),
      'process.pid': process.pid,
    }),
  );
}
