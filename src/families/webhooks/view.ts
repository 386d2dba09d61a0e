/** How endpoints and deliveries look on the `/webhooks` routes (schemas.ts declares their shapes). Header values are never shown back. */
import type { Static } from '@sinclair/typebox';
import type { DeliveryView, EndpointView } from './schemas.ts';
import type { AttemptRow, DeliveryRow } from './sql/deliveries.ts';
import type { EndpointRow } from './sql/endpoints.ts';

export function endpointView(row: EndpointRow, signingSecret?: string): Static<typeof EndpointView> {
  const rotating = row.previous_secret_expires_at && row.previous_secret_expires_at > new Date().toISOString() ? row.previous_secret_expires_at : null;
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    headers: (JSON.parse(row.headers) as { name: string }[]).map((h) => ({ name: h.name })),
    enabled: row.enabled === 1,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    consecutiveFailures: row.consecutive_failures,
    secretRotationEndsAt: rotating,
    ...(signingSecret ? { signingSecret } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function deliveryView(row: DeliveryRow, attempts: AttemptRow[]): Static<typeof DeliveryView> {
  return {
    id: row.id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    responseSnippet: row.response_snippet,
    nextAttemptAt: row.next_attempt_at,
    payload: JSON.parse(row.payload) as unknown,
    history: attempts
      .filter((a) => a.delivery_id === row.id)
      .map((a) => ({ attempt: a.attempt, at: a.at, statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}
