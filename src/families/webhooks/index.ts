/**
 * Webhooks: endpoints an organisation registers, and signed deliveries of job events to them,
 * written in the transaction that ends the job (the outbox) and retried on a schedule.
 */
import type { Family, FamilyDeps } from '../family.ts';
import { deliveryKind } from './deliveryKind.ts';
import { deliveryRetention } from './deliveryRetention.ts';
import { webhookOutbox } from './outbox.ts';
import { webhookRoutes } from './routes.ts';

export { webhookTargets } from './targets.ts';

export function webhooksFamily({ config, store, engine }: FamilyDeps): Family {
  const { db } = store;
  const delivery = deliveryKind(db, config.webhooks);
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
