/** Clips and their candidates as the `/clips` routes show them (schemas.ts declares their shapes). */
import type { Static } from '@sinclair/typebox';
import type { CandidateView, ClipView } from './schemas.ts';
import type { CandidateRow, ClipRow } from './sql/clips.ts';

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
