/** The pauses of an analysis that may bound a candidate: silences of 0.5 s or more. */
import { type Analysis, SILENCE_MIN_S } from './analyse.ts';

export interface Span {
  start: number;
  end: number;
}

/** ffmpeg's pause times are rounded to the millisecond, so a 0.5 s pause may read as 499 ms. */
export const MIN_PAUSE_MS = SILENCE_MIN_S * 1000 - 1;

/** Long enough, sorted, overlaps merged. */
export function pausesOf(silences: Analysis['silences']): Span[] {
  const sorted = silences
    .filter((s) => s.endMs - s.startMs >= MIN_PAUSE_MS)
    .map((s) => ({ start: s.startMs, end: s.endMs }))
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}
