/**
 * Sourcing: the talent pool (profiles, search), sourcing runs that score the pool against a job
 * description, and enrichment runs that score given candidates.
 */
import type { Family, FamilyDeps } from '../family.ts';
import { enrichmentKind } from './enrichment/kind.ts';
import { enrichmentRoutes } from './enrichment/routes.ts';
import { sourcingKind } from './runs/kind.ts';
import { sourcingRoutes } from './runs/routes.ts';
import { Candidate } from './scoring/schemas.ts';
import { talentPoolRoutes } from './talentPool/routes.ts';
import { Resume } from './talentPool/schemas.ts';

export function sourcingFamily({ config, store, engine, webhookTargets }: FamilyDeps): Family {
  const { db } = store;
  const sourcing = sourcingKind(db);
  const enrichment = enrichmentKind(db);
  return {
    name: 'sourcing',
    kinds: [sourcing, enrichment],
    // Shared by the family's plugins, so declared in their common parent.
    schemas: [Resume, Candidate],
    async routes(app) {
      await app.register(talentPoolRoutes, { db, bodyLimit: config.profilesBodyLimitBytes });
      await app.register(sourcingRoutes, { db, engine, kind: sourcing, webhooks: webhookTargets });
      await app.register(enrichmentRoutes, { db, engine, kind: enrichment, webhooks: webhookTargets });
    },
  };
}
