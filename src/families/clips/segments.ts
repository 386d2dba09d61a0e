/**
 * Candidate segments from an analysis: where a clip could be cut.
 *
 * Rules (the README's; test/clips/segments.test.ts checks them on generated layouts):
 * - a candidate lies within one shot: no scene cut falls inside it;
 * - it begins and ends on sound: at the edge of a pause (a silence of 0.5 s or more; a shorter
 *   one never splits), at a cut, or at the clip's start or end;
 * - it lasts 5–90 s. A stretch of sound shorter than 5 s joins the nearer stretch of its shot
 *   (across the pause between) if the two last at most 90 s together, else it is dropped; a
 *   stretch longer than 90 s is split into equal parts.
 * A clip shorter than 5 s is one candidate, all of it; a clip without sound is cut at its shots.
 */
import type { Analysis } from './analyse.ts';
import { pausesOf, type Span } from './pauses.ts';
import { segmentScore } from './score.ts';

export const MIN_SEGMENT_MS = 5_000;
export const MAX_SEGMENT_MS = 90_000;

export interface ProposedSegment {
  startMs: number;
  endMs: number;
  title: string;
  score: number;
}

/** mm:ss of a time rounded to the nearest second: 35.996 s reads 00:36, not 00:35. */
function mmss(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function segmentTitle(index: number, startMs: number, endMs: number): string {
  return `Segment ${index + 1} · ${mmss(startMs)}–${mmss(endMs)}`;
}

function shotsOf(durationMs: number, cutsMs: number[]): Span[] {
  const bounds = [...new Set([0, ...cutsMs.filter((c) => c > 0 && c < durationMs), durationMs])].sort((a, b) => a - b);
  return bounds.slice(1).map((end, i) => ({ start: bounds[i]!, end }));
}

/** The shot less its pauses: the stretches of sound in it, in order. */
function soundIn(shot: Span, pauses: Span[]): Span[] {
  const out: Span[] = [];
  let from = shot.start;
  for (const p of pauses) {
    if (p.end <= from || p.start >= shot.end) continue;
    if (p.start > from) out.push({ start: from, end: p.start });
    from = p.end;
  }
  if (from < shot.end) out.push({ start: from, end: shot.end });
  return out;
}

/** Joins each stretch under 5 s to the neighbour across the shorter pause (the next on a tie), shortest first. */
function joinShort(stretches: Span[]): Span[] {
  const list = [...stretches];
  for (;;) {
    let i = -1;
    for (let j = 0; j < list.length; j++) {
      const len = list[j]!.end - list[j]!.start;
      if (len < MIN_SEGMENT_MS && (i < 0 || len < list[i]!.end - list[i]!.start)) i = j;
    }
    if (i < 0) return list;
    const piece = list[i]!;
    const prev = list[i - 1];
    const next = list[i + 1];
    const prevGap = prev && piece.end - prev.start <= MAX_SEGMENT_MS ? piece.start - prev.end : Infinity;
    const nextGap = next && next.end - piece.start <= MAX_SEGMENT_MS ? next.start - piece.end : Infinity;
    if (prevGap === Infinity && nextGap === Infinity) list.splice(i, 1);
    else if (nextGap <= prevGap) list.splice(i, 2, { start: piece.start, end: next!.end });
    else list.splice(i - 1, 2, { start: prev!.start, end: piece.end });
  }
}

function splitLong(span: Span): Span[] {
  const parts = Math.ceil((span.end - span.start) / MAX_SEGMENT_MS);
  if (parts <= 1) return [span];
  const size = (span.end - span.start) / parts;
  return Array.from({ length: parts }, (_, i) => ({
    start: Math.round(span.start + i * size),
    end: i === parts - 1 ? span.end : Math.round(span.start + (i + 1) * size),
  }));
}

/** The candidates' spans, in order (see the rules above). */
export function candidateSpans(durationMs: number, analysis: Analysis): Span[] {
  if (durationMs < MIN_SEGMENT_MS) return [{ start: 0, end: Math.max(0, durationMs) }];
  const pauses = pausesOf(analysis.silences);
  const shots = shotsOf(durationMs, analysis.sceneCutsMs);
  let sound = shots.map((shot) => soundIn(shot, pauses));
  if (sound.every((stretches) => stretches.length === 0)) sound = shots.map((shot) => [shot]);
  return sound.flatMap((stretches) => joinShort(stretches).flatMap(splitLong));
}

export function proposeSegments(durationMs: number, analysis: Analysis, hasAudio: boolean): ProposedSegment[] {
  return candidateSpans(durationMs, analysis).map((span, i) => ({
    startMs: span.start,
    endMs: span.end,
    title: segmentTitle(i, span.start, span.end),
    score: segmentScore(span, { durationMs, analysis, hasAudio }),
  }));
}
