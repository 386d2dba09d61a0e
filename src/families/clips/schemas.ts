/**
 * The clips family's shapes on the wire (`../shared/CONTRACTS.md`): clips and their candidates,
 * uploads, captions and renders, declared once for validation, serialization, /openapi.json and
 * the typed client. Imports nothing but TypeBox and other schema modules.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../http/schemas.ts';

export const TEMPLATES = ['default', 'vertical', 'square'] as const;
export type Template = (typeof TEMPLATES)[number];

export const CandidateView = Type.Object({
  id: Type.String({ description: 'cand_<ULID>' }),
  startMs: Type.Integer(),
  endMs: Type.Integer(),
  title: Type.String(),
  score: Nullable(
    Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Detected segments: 40 × speech energy + 20 × speech density + 20 × whole phrases + 20 × length fit; null for your own',
    }),
  ),
});

export const ClipView = Type.Object(
  {
    id: Type.String({ description: 'clip_<ULID>' }),
    name: Type.String(),
    status: Type.Union((['uploading', 'processing', 'ready', 'rendering', 'rendered', 'failed'] as const).map((s) => Type.Literal(s))),
    duration: Nullable(Type.Number({ description: 'Seconds' })),
    fileSize: Nullable(Type.Integer({ description: 'Bytes' })),
    width: Nullable(Type.Integer()),
    height: Nullable(Type.Integer()),
    candidates: Type.Array(CandidateView),
    error: Nullable(Type.String({ description: 'Why the clip failed' })),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Clip' },
);

export const ImportBody = Type.Object(
  { url: Type.String({ maxLength: 2000 }), name: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

export const ClipsPage = Type.Object({ clips: Type.Array(Type.Ref(ClipView)), total: Type.Integer() });

export const ClipDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

/** Candidates' times are stored as PostgreSQL `integer`s: at most 2³¹−1 ms (about 24.8 days). */
const MAX_CLIP_MS = 2_147_483_647;

export const CandidateBody = Type.Object(
  {
    startMs: Type.Integer({ minimum: 0, maximum: MAX_CLIP_MS }),
    endMs: Type.Integer({ minimum: 1, maximum: MAX_CLIP_MS }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const PART_SIZE = { min: 64 * 1024, max: 100 * 1024 * 1024, default: 8 * 1024 * 1024 };

export const UploadView = Type.Object({
  uploadId: Type.String({ description: 'upl_<ULID>' }),
  name: Type.String(),
  size: Type.Integer(),
  partSize: Type.Integer(),
  parts: Type.Integer({ description: 'How many parts: ceil(size / partSize), numbered from 1' }),
  received: Type.Array(Type.Integer(), { description: 'Part numbers received so far' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const StartUploadBody = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 200 }),
    size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Bytes in the whole file' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    partSize: Type.Optional(Type.Integer({ minimum: PART_SIZE.min, maximum: PART_SIZE.max, default: PART_SIZE.default })),
  },
  { additionalProperties: false },
);

export const RenderJob = Type.Object({
  id: Type.String({ description: 'job_<ULID>' }),
  clipId: Type.String(),
  status: Type.String({ description: 'queued, running, completed, failed or canceled' }),
  outputUrl: Type.Optional(Type.String({ description: 'Absolute, signed and expiring; present once completed' })),
  createdAt: Timestamp,
  completedAt: Type.Optional(Timestamp),
});

export const CaptionsAnswer = Type.Object({ clipId: Type.String(), format: Type.String(), cues: Type.Integer() });

export const RenderBody = Type.Object(
  {
    candidateId: Type.String({ maxLength: 100 }),
    template: Type.Optional(
      Type.Union(
        TEMPLATES.map((t) => Type.Literal(t)),
        { default: 'default' },
      ),
    ),
    captions: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const RenderAccepted = Type.Object({ jobId: Type.String(), status: Type.Literal('queued'), estimatedDurationSec: Type.Integer() });

export const SourceUrl = Type.Object({
  url: Type.String({ description: 'Absolute, signed and expiring: opens the source file without the key' }),
  expiresAt: Timestamp,
});
