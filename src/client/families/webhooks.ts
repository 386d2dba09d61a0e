/** Webhook endpoints: CRUD (the `signingSecret` comes back on creation and rotation only), deliveries, retry, test ping. */
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type {
  PageQuery,
  WebhookCreateBody,
  WebhookDeleted,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointsPage,
  WebhookPatchBody,
  WebhookTestResult,
} from '../types.ts';

export function webhookMethods(http: Http) {
  const path = (id: string) => `/webhooks/${seg(id)}`;
  return {
    create: (body: WebhookCreateBody, o: CallOptions = {}) => http.data<WebhookEndpoint>('POST', '/webhooks', { ...o, json: body }),
    list: (query: PageQuery = {}, o: SignalOption = {}) => http.data<WebhookEndpointsPage>('GET', '/webhooks', { ...o, query }),
    get: (id: string, o: SignalOption = {}) => http.data<WebhookEndpoint>('GET', path(id), o),
    /** `{rotateSecret: true}` answers with the new `signingSecret`; `{enabled: true}` re-enables. */
    update: (id: string, body: WebhookPatchBody, o: SignalOption = {}) => http.data<WebhookEndpoint>('PATCH', path(id), { ...o, json: body }),
    delete: (id: string, o: SignalOption = {}) => http.data<WebhookDeleted>('DELETE', path(id), o),
    deliveries: (id: string, query: PageQuery = {}, o: SignalOption = {}) => http.data<WebhookDeliveriesPage>('GET', `${path(id)}/deliveries`, { ...o, query }),
    /** Sends a delivery again (same webhook-id and body, new signatures). */
    retry: (id: string, deliveryId: string, o: SignalOption = {}) => http.data<WebhookDelivery>('POST', `${path(id)}/deliveries/${seg(deliveryId)}/retry`, o),
    /** Sends a signed `ping` now and says how the endpoint answered. */
    test: (id: string, o: SignalOption = {}) => http.data<WebhookTestResult>('POST', `${path(id)}/test`, o),
  };
}
