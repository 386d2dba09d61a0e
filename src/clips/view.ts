/** How clips look on the `/clips` routes (`../shared/CONTRACTS.md`). */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../server/schemas.ts';
import type { CandidateRow, ClipRow } from './sql/clips.ts';

export const CandidateView = Type.Object({
  id: Type.String({ description: 'cand_<ULID>' }),
  startMs: Type.Integer(),
  endMs: Type.Integer(),
  title: Type.String(),
  score: Nullable(Type.Integer({ minimum: 0, maximum: 100, description: 'Detected segments: 50 × audio energy + 30 × scene density + 20 × length fit; null for your own' })),
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

export function candidateView(row: CandidateRow): Static<typeof CandidateView> {
  return { id: row.id, startMs: row.start_ms, endMs: row.end_ms, title: row.title, score: row.score };
}

export function clipView(row: ClipRow, candidates: CandidateRow[]): Static<typeof ClipView> {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    duration: row.duration_ms === null ? null : row.duration_ms / 1000,
    fileSize: row.file_size === null ? null : Number(row.file_size),
    width: row.width,
    height: row.height,
    candidates: candidates.filter((c) => c.clip_id === row.id).map(candidateView),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
