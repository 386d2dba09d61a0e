/** How endpoints and deliveries look on the `/webhooks` routes. Header values are never shown back. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../server/schemas.ts';
import type { AttemptRow, DeliveryRow } from './sql/deliveries.ts';
import type { EndpointRow } from './sql/endpoints.ts';

export const EndpointView = Type.Object(
  {
    id: Type.String({ description: 'wh_<ULID>' }),
    name: Nullable(Type.String()),
    url: Type.String(),
    events: Type.Array(Type.String()),
    headers: Type.Array(Type.Object({ name: Type.String() }), { description: 'Names of the custom headers sent (values are not shown back)' }),
    enabled: Type.Boolean(),
    disabledReason: Nullable(Type.String()),
    disabledAt: Nullable(Timestamp),
    consecutiveFailures: Type.Integer(),
    secretRotationEndsAt: Nullable(Timestamp),
    signingSecret: Type.Optional(Type.String({ description: 'whsec_…, shown only on creation and rotation' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'WebhookEndpoint' },
);

export const DeliveryView = Type.Object(
  {
    id: Type.String({ description: 'msg_<ULID>: the webhook-id header, the same on every attempt' }),
    eventType: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    responseSnippet: Nullable(Type.String({ description: 'The first KiB of the last answer' })),
    nextAttemptAt: Nullable(Timestamp),
    payload: Type.Unknown({ description: 'The body sent: {type, timestamp, data}' }),
    history: Type.Array(
      Type.Object({ attempt: Type.Integer(), at: Timestamp, statusCode: Nullable(Type.Integer()), error: Nullable(Type.String()), durationMs: Type.Integer() }),
      { description: 'Every attempt, first first' },
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    deliveredAt: Nullable(Timestamp),
  },
  { $id: 'WebhookDelivery' },
);

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
