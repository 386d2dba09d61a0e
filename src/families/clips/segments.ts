/**
 * Candidate segments from an analysis: where a clip could be cut.
 *
 * Rules: boundaries are the scene cuts and the silences (a segment ends where a silence starts
 * and the next begins where it ends, so no candidate opens or closes on dead air). Pieces
 * shorter than 5 s join a neighbour (the next one when nothing silent lies between, else the
 * previous); pieces longer than 90 s are split into equal parts of at most 90 s. A clip shorter
 * than 5 s is one candidate.
 *
 * Score, 0–100, from documented signals:
 *   50 × audio energy   mean RMS level over the segment, −60 dBFS → 0, −10 dBFS → 1
 *                       (0.5 when the clip has no audio)
 *   30 × scene density  scene cuts within the segment (and at its edges) per minute, 6/min → 1
 *   20 × length fit     1 from 15 to 60 s, falling to 0.5 at 5 s and at 90 s
 */
import type { Analysis } from './analyse.ts';

export const MIN_SEGMENT_MS = 5_000;
export const MAX_SEGMENT_MS = 90_000;

export interface ProposedSegment {
  startMs: number;
  endMs: number;
  title: string;
  score: number;
}

interface Piece {
  start: number;
  end: number;
  /** Whether a silence separates this piece from the next. */
  silenceAfter: boolean;
}

function mmss(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function segmentTitle(index: number, startMs: number, endMs: number): string {
  return `Segment ${index + 1} · ${mmss(startMs)}–${mmss(endMs)}`;
}

function pieces(durationMs: number, analysis: Analysis): Piece[] {
  const silences = analysis.silences.filter((s) => s.endMs > s.startMs).sort((a, b) => a.startMs - b.startMs);
  const inSilence = (t: number) => silences.some((s) => t > s.startMs && t < s.endMs);
  const bounds = new Set<number>([0, durationMs]);
  for (const cut of analysis.sceneCutsMs) if (cut > 0 && cut < durationMs && !inSilence(cut)) bounds.add(cut);
  for (const s of silences) {
    bounds.add(Math.max(0, s.startMs));
    bounds.add(Math.min(durationMs, s.endMs));
  }
  const sorted = [...bounds].sort((a, b) => a - b);
  const result: Piece[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    const silent = silences.some((s) => s.startMs <= start && s.endMs >= end);
    if (silent) {
      if (result.length > 0) result[result.length - 1]!.silenceAfter = true;
      continue;
    }
    if (end > start) result.push({ start, end, silenceAfter: false });
  }
  return result;
}

function mergeShort(list: Piece[]): Piece[] {
  const out = [...list];
  for (let i = 0; i < out.length;) {
    const piece = out[i]!;
    if (piece.end - piece.start >= MIN_SEGMENT_MS || out.length === 1) {
      i++;
      continue;
    }
    const next = out[i + 1];
    const prev = out[i - 1];
    if (next && (!piece.silenceAfter || !prev)) {
      out.splice(i, 2, { start: piece.start, end: next.end, silenceAfter: next.silenceAfter });
    } else if (prev) {
      out.splice(i - 1, 2, { start: prev.start, end: piece.end, silenceAfter: piece.silenceAfter });
      i--;
    } else {
      i++;
    }
  }
  return out;
}

function splitLong(list: Piece[]): Piece[] {
  return list.flatMap((p) => {
    const parts = Math.ceil((p.end - p.start) / MAX_SEGMENT_MS);
    if (parts <= 1) return [p];
    const size = (p.end - p.start) / parts;
    return Array.from({ length: parts }, (_, i) => ({
      start: Math.round(p.start + i * size),
      end: i === parts - 1 ? p.end : Math.round(p.start + (i + 1) * size),
      silenceAfter: i === parts - 1 ? p.silenceAfter : false,
    }));
  });
}

export function segmentScore(startMs: number, endMs: number, analysis: Analysis, hasAudio: boolean): number {
  const seconds = analysis.loudnessDb.slice(Math.floor(startMs / 1000), Math.max(Math.floor(startMs / 1000) + 1, Math.ceil(endMs / 1000)));
  const meanDb = seconds.length > 0 ? seconds.reduce((a, b) => a + b, 0) / seconds.length : -90;
  const energy = hasAudio ? Math.min(1, Math.max(0, (meanDb + 60) / 50)) : 0.5;
  const minutes = (endMs - startMs) / 60_000;
  const cuts = analysis.sceneCutsMs.filter((t) => t >= startMs - 1000 && t <= endMs + 1000).length;
  const density = Math.min(1, cuts / Math.max(minutes, 1 / 60) / 6);
  const seconds_ = (endMs - startMs) / 1000;
  const fit =
    seconds_ >= 15 && seconds_ <= 60 ? 1 : seconds_ < 15 ? 0.5 + (0.5 * Math.max(0, seconds_ - 5)) / 10 : 0.5 + (0.5 * Math.max(0, 90 - seconds_)) / 30;
  return Math.round(100 * (0.5 * energy + 0.3 * density + 0.2 * fit));
}

export function proposeSegments(durationMs: number, analysis: Analysis, hasAudio: boolean): ProposedSegment[] {
  let list = pieces(durationMs, analysis);
  if (list.length === 0) list = [{ start: 0, end: durationMs, silenceAfter: false }];
  list = splitLong(mergeShort(list));
  return list.map((p, i) => ({
    startMs: p.start,
    endMs: p.end,
    title: segmentTitle(i, p.start, p.end),
    score: segmentScore(p.start, p.end, analysis, hasAudio),
  }));
}
