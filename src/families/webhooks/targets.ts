/** The webhook endpoints as other families see them (ports.ts `WebhookTargets`): who owns one, and what it takes. */
import type { WebhookTargets } from '../ports.ts';
import { subscribes } from './events.ts';
import { endpointGetAnyOrg } from './sql/endpoints.ts';

export const webhookTargets: WebhookTargets = {
  async endpointFor(db, webhookId, eventTypes) {
    const endpoint = await endpointGetAnyOrg(db, webhookId);
    if (!endpoint) return undefined;
    const events = JSON.parse(endpoint.events) as string[];
    return { orgId: endpoint.org_id, subscribed: eventTypes.some((type) => subscribes(events, type)) };
  },
};
