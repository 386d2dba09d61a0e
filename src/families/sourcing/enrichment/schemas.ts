/**
 * Enrichment runs on the wire: what starts one, and the answers of its results route
 * (`../shared/seeds/sourcing-enrich-results.md`). Declared once for validation, serialization,
 * /openapi.json and the typed client. Imports nothing but TypeBox and other schema modules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Candidate } from '../scoring/schemas.ts';
import { Timestamp, WebhookId } from '../../../http/schemas.ts';

export const EnrichmentInput = Type.Object(
  {
    profileIds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 10,
      description: 'Profiles returned by sourcing runs of this organisation; no duplicates',
    }),
    webhookId: Type.Optional(WebhookId),
  },
  { additionalProperties: false },
);
export type EnrichmentInput = Static<typeof EnrichmentInput>;

export const Accepted = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String({ description: 'enr_<uuid>' }),
  status: Type.Literal('processing'),
  message: Type.String(),
  createdAt: Timestamp,
  webhookId: Type.Union([Type.String(), Type.Null()]),
});

export const Processing = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String(),
  status: Type.Literal('processing'),
  message: Type.String(),
  createdAt: Timestamp,
});

export const ProfileResult = Type.Union([
  Type.Object({ profileId: Type.String(), success: Type.Literal(true), candidate: Type.Ref(Candidate) }),
  Type.Object({ profileId: Type.String(), success: Type.Literal(false), errorCode: Type.String(), errorMessage: Type.String() }),
]);

export const Completed = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String(),
  status: Type.Literal('completed'),
  enrichedCount: Type.Integer(),
  failureCount: Type.Integer(),
  creditsConsumed: Type.Integer({ description: 'Equals enrichedCount: failed profiles are not billed' }),
  createdAt: Timestamp,
  completedAt: Timestamp,
  data: Type.Array(ProfileResult),
});
