/**
 * The sourcing family's runs on the wire: what starts a sourcing run, and the answers of its
 * results route; `RunFailed` is shared with enrichment runs. Declared once for validation,
 * serialization, /openapi.json and the typed client. Imports nothing but TypeBox and other
 * schema modules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Candidate } from '../scoring/schemas.ts';
import { Timestamp, WebhookId } from '../../../http/schemas.ts';

export const SourcingInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, description: 'The role, e.g. "Senior Backend Engineer"' }),
    jobDescription: Type.String({
      minLength: 1,
      maxLength: 10_000,
      description: 'Requirements are read from it (must-have and nice-to-have skills, years, seniority)',
    }),
    location: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. "Berlin, Germany (hybrid) or Remote (EU)"' }),
    query: Type.Optional(Type.String({ maxLength: 500, description: 'Extra search words; they widen the search, not the requirements' })),
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Candidates to return; also the credits reserved' }),
    webhookId: Type.Optional(WebhookId),
  },
  { additionalProperties: false },
);
export type SourcingInput = Static<typeof SourcingInput>;

/** A run that ended without results (failed, or canceled with `CANCELED`); `id` describes its requestId. */
export const RunFailed = (id: string) =>
  Type.Object({
    success: Type.Literal(true),
    requestId: Type.String({ description: id }),
    status: Type.Literal('failed'),
    errorCode: Type.String(),
    errorMessage: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    completedAt: Type.String({ format: 'date-time' }),
  });

export const Accepted = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String({ description: 'req_<uuid>' }),
  status: Type.Literal('processing'),
  message: Type.String(),
  webhookId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Processing = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String(),
  status: Type.Literal('processing'),
  message: Type.String(),
  candidatesSourcedCount: Type.Integer(),
  createdAt: Timestamp,
});

export const Completed = Type.Object({
  success: Type.Literal(true),
  requestId: Type.String(),
  status: Type.Literal('completed'),
  foundCount: Type.Integer({ description: 'Profiles of the pool that matched the search' }),
  scoredCount: Type.Integer({ description: 'Of those, how many were scored (the best search matches)' }),
  creditsConsumed: Type.Integer({ description: '1 per candidate returned' }),
  createdAt: Timestamp,
  completedAt: Timestamp,
  candidates: Type.Array(Type.Ref(Candidate)),
});
