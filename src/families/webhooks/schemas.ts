/**
 * Webhooks on the wire: the event types (`../shared/CONTRACTS.md`), endpoints and their
 * deliveries, and the body each delivery carries; declared once for validation, serialization,
 * /openapi.json and the typed client. Imports nothing but TypeBox and other schema modules.
 * Header values are never shown back.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../http/schemas.ts';

/** The webhook event types of `../shared/CONTRACTS.md`; `*` subscribes to all of them. */
export const EVENT_TYPES = [
  'SOURCING_COMPLETED',
  'SOURCING_FAILED',
  'ENRICH_COMPLETED',
  'ENRICH_FAILED',
  'idea.enrich.completed',
  'idea.enrich.failed',
  'clip.render.completed',
  'clip.render.failed',
  'agent.run.completed',
  'agent.run.failed',
] as const;

export const ALL_EVENTS = '*';

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

const EventName = Type.Union([...EVENT_TYPES, ALL_EVENTS].map((e) => Type.Literal(e)));
const Events = Type.Array(EventName, { minItems: 1, maxItems: EVENT_TYPES.length + 1, uniqueItems: true, description: 'Event types, or "*" for all' });
const Header = Type.Object(
  { name: Type.String({ maxLength: 100, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" }), value: Type.String({ maxLength: 1000, pattern: '^[^\\r\\n]*$' }) },
  { additionalProperties: false },
);
export const CustomHeaders = Type.Array(Header, { maxItems: 20 });

export const CreateBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000 }),
    events: Events,
    name: Type.Optional(Type.String({ maxLength: 100 })),
    secret: Type.Optional(Type.String({ maxLength: 200, description: 'whsec_ + base64 of 24–64 bytes; made for you when left out' })),
    headers: Type.Optional(CustomHeaders),
  },
  { additionalProperties: false },
);

export const PatchBody = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    events: Type.Optional(Events),
    name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    headers: Type.Optional(CustomHeaders),
    enabled: Type.Optional(Type.Boolean({ description: 'true closes an open circuit (re-enables a disabled endpoint)' })),
    rotateSecret: Type.Optional(Type.Boolean({ description: 'New secret; the old one keeps signing for 24 h' })),
    secret: Type.Optional(Type.String({ maxLength: 200, description: 'With rotateSecret: the new secret to use' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const EndpointsPage = Type.Object({ webhooks: Type.Array(Type.Ref(EndpointView)), total: Type.Integer() });

export const EndpointDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

export const DeliveriesPage = Type.Object({ deliveries: Type.Array(Type.Ref(DeliveryView)), total: Type.Integer() });

export const TestAnswer = Type.Object({
  deliveryId: Type.String({ description: 'msg_<ULID>: the ping in the delivery log' }),
  delivered: Type.Boolean(),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

/**
 * The body of a webhook: `{type, timestamp, data}` as Standard Webhooks has it (payload.ts
 * writes it). `data` says which job ended and how.
 */
export interface WebhookBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}
