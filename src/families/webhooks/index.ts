/**
 * Webhooks: endpoints an organisation registers, and signed deliveries of job events to them,
 * written in the transaction that ends the job (the outbox) and retried on a schedule.
 */
import { Histogram } from 'prom-client';
import type { Family, FamilyDeps } from '../family.ts';
import { deliveryKind } from './deliveryKind.ts';
import { deliveryRetention } from './deliveryRetention.ts';
import { webhookOutbox } from './outbox.ts';
import { webhookRoutes } from './routes.ts';

export { webhookTargets } from './targets.ts';

export function webhooksFamily({ config, store, engine, metrics }: FamilyDeps): Family {
  const { db } = store;
  const attempts = new Histogram({
    name: 'longrun_webhook_delivery_duration_seconds',
    help: 'Webhook delivery attempts sent by this process, by outcome (succeeded, http_error, timeout, connection_failed, blocked_address), and their time',
    labelNames: ['outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metrics],
  });
  const delivery = deliveryKind(db, config.webhooks, { attempted: (outcome, seconds) => attempts.observe({ outcome }, seconds) });
  return {
    name: 'webhooks',
    kinds: [delivery],
    onJobFinished: [webhookOutbox(engine, delivery)],
    maintenance: [deliveryRetention(db, config.retentionDays)],
    async routes(app) {
      await app.register(webhookRoutes, { db, engine, config: config.webhooks, delivery });
    },
  };
}
