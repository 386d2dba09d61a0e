/**
 * A candidate's score, 0–100: each part measures something inside the candidate, so the same
 * speech scores the same whatever cut lies at its edge (a candidate never crosses a cut, so
 * counting cuts would only reward touching one).
 *
 *   40 × speech energy    mean RMS level of the seconds of sound in it, −60 dBFS → 0, −10 dBFS → 1
 *   20 × speech density   the share of it that is sound rather than pause
 *   20 × whole phrases    ½ for each end that meets a pause (within 0.5 s) or the clip's end,
 *                         rather than a cut or a split in the middle of speech
 *   20 × length fit       1 from 15 to 60 s, falling to 0.5 at 5 s and at 90 s
 *
 * Without audio the three sound parts are ½ each: only the length ranks.
 */
import type { Analysis } from './analyse.ts';
import { pausesOf, type Span } from './pauses.ts';

/** How far from a candidate's end a pause may lie and still count as where the phrase ends. */
const PHRASE_EDGE_MS = 500;

function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

function speechEnergy(span: Span, loudnessDb: number[], pauses: Span[]): number {
  const whole: number[] = [];
  const touching: number[] = [];
  for (let s = Math.floor(span.start / 1000); s * 1000 < span.end && s < loudnessDb.length; s++) {
    const second = { start: s * 1000, end: s * 1000 + 1000 };
    if (overlap(second, span) === 0) continue;
    touching.push(loudnessDb[s]!);
    if (second.start >= span.start && second.end <= span.end && !pauses.some((p) => overlap(p, second) > 0)) whole.push(loudnessDb[s]!);
  }
  const levels = whole.length > 0 ? whole : touching;
  const meanDb = levels.length > 0 ? levels.reduce((a, b) => a + b, 0) / levels.length : -90;
  return Math.min(1, Math.max(0, (meanDb + 60) / 50));
}

function speechDensity(span: Span, pauses: Span[]): number {
  const paused = pauses.reduce((sum, p) => sum + overlap(p, span), 0);
  return 1 - paused / Math.max(1, span.end - span.start);
}

function wholePhrases(span: Span, pauses: Span[], durationMs: number): number {
  const opens = span.start <= PHRASE_EDGE_MS || pauses.some((p) => p.end <= span.start + PHRASE_EDGE_MS && p.end >= span.start - PHRASE_EDGE_MS);
  const closes = span.end >= durationMs - PHRASE_EDGE_MS || pauses.some((p) => p.start >= span.end - PHRASE_EDGE_MS && p.start <= span.end + PHRASE_EDGE_MS);
  return (opens ? 0.5 : 0) + (closes ? 0.5 : 0);
}

function lengthFit(span: Span): number {
  const seconds = (span.end - span.start) / 1000;
  if (seconds >= 15 && seconds <= 60) return 1;
  return seconds < 15 ? 0.5 + (0.5 * Math.max(0, seconds - 5)) / 10 : 0.5 + (0.5 * Math.max(0, 90 - seconds)) / 30;
}

export interface ScoreParts {
  energy: number;
  density: number;
  phrases: number;
  fit: number;
}

export function scoreParts(span: Span, clip: { durationMs: number; analysis: Analysis; hasAudio: boolean }): ScoreParts {
  const pauses = pausesOf(clip.analysis.silences);
  const fit = lengthFit(span);
  if (!clip.hasAudio) return { energy: 0.5, density: 0.5, phrases: 0.5, fit };
  return {
    energy: speechEnergy(span, clip.analysis.loudnessDb, pauses),
    density: speechDensity(span, pauses),
    phrases: wholePhrases(span, pauses, clip.durationMs),
    fit,
  };
}

export function segmentScore(span: Span, clip: { durationMs: number; analysis: Analysis; hasAudio: boolean }): number {
  const p = scoreParts(span, clip);
  return Math.round(100 * (0.4 * p.energy + 0.2 * p.density + 0.2 * p.phrases + 0.2 * p.fit));
}
