/**
 * The `idea.enrich` family's shapes on the wire, declared once for validation, serialization,
 * /openapi.json and the typed client. Imports nothing but TypeBox and other schema modules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MODES, PLATFORMS } from '../../../content/schemas.ts';

export const IdeaEnrichInput = Type.Object(
  {
    idea: Type.Object(
      {
        title: Type.String({ minLength: 1, maxLength: 500 }),
        hook: Type.Optional(Type.String({ maxLength: 2000 })),
        angle: Type.Optional(Type.String({ maxLength: 2000 })),
        reasoning: Type.Optional(Type.String({ maxLength: 5000 })),
        citations: Type.Optional(
          Type.Array(
            Type.Object(
              {
                snippet: Type.String({ minLength: 1, maxLength: 2000 }),
                docId: Type.Optional(Type.String({ maxLength: 100 })),
                uri: Type.Optional(Type.String({ maxLength: 2000 })),
              },
              { additionalProperties: false },
            ),
            { maxItems: 20 },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    platforms: Type.Array(
      Type.Object(
        {
          platform: Type.Union(PLATFORMS.map((p) => Type.Literal(p))),
          mode: Type.Optional(Type.Union(MODES.map((m) => Type.Literal(m)))),
          targetLength: Type.Optional(Type.Integer({ minimum: 20, maximum: 25_000 })),
          threadCount: Type.Optional(Type.Integer({ minimum: 2, maximum: 25 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 5 },
    ),
    kbId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type IdeaEnrichInput = Static<typeof IdeaEnrichInput>;

export const EnrichAccepted = Type.Object({ jobId: Type.String({ description: 'enrich_job_<ULID>' }), status: Type.Literal('queued') });

export const EnrichJob = Type.Object({
  jobId: Type.String(),
  status: Type.String({ description: 'queued, running, completed, failed or canceled' }),
  enrichedContent: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const EnrichDrafts = Type.Object({
  jobId: Type.String(),
  status: Type.String(),
  drafts: Type.Array(
    Type.Object({
      platform: Type.String(),
      mode: Type.String(),
      title: Type.Optional(Type.String()),
      posts: Type.Array(Type.String()),
      sources: Type.Array(Type.String()),
      tokensUsed: Type.Integer(),
    }),
  ),
  failures: Type.Array(Type.Object({ platform: Type.String(), errorCode: Type.String(), errorMessage: Type.String() })),
  tokensUsed: Type.Integer(),
});
