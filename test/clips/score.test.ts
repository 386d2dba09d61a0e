/**
 * Each part of a candidate's score measures something the candidate has: the same speech scores
 * and ranks the same whether a cut touches its end or not (the issue: 78–81 with a cut at one
 * end, 49 without), and each part moves with what it says it rewards.
 */
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/families/clips/analyse.ts';
import { scoreParts, segmentScore } from '../../src/families/clips/score.ts';
import { proposeSegments } from '../../src/families/clips/segments.ts';

/** Phrases of varied loudness and length between 1 s pauses, 90 s in all. */
const speech: Omit<Analysis, 'sceneCutsMs'> = {
  silences: [
    { startMs: 8_000, endMs: 9_000 },
    { startMs: 30_000, endMs: 31_000 },
    { startMs: 52_000, endMs: 53_500 },
    { startMs: 61_000, endMs: 62_000 },
  ],
  loudnessDb: Array.from({ length: 90 }, (_, s) => (s < 30 ? -30 : s < 53 ? -18 : -24)),
};
const clip = (sceneCutsMs: number[]) => ({ durationMs: 90_000, analysis: { ...speech, sceneCutsMs }, hasAudio: true });
const ranked = (sceneCutsMs: number[]) =>
  proposeSegments(90_000, { ...speech, sceneCutsMs }, true)
    .map((c) => ({ startMs: c.startMs, endMs: c.endMs, score: c.score }))
    .sort((a, b) => b.score - a.score);

describe('candidate scores', () => {
  it('rank the same speech the same whether or not a cut touches its end', () => {
    const without = ranked([]);
    expect(without.length).toBeGreaterThanOrEqual(3);
    // A cut where a pause starts, one inside a pause, one where a pause ends: the same candidates, the same scores.
    expect(ranked([30_000])).toEqual(without);
    expect(ranked([52_700])).toEqual(without);
    expect(ranked([30_000, 52_700, 62_000])).toEqual(without);
  });

  it('reward louder speech', () => {
    const quiet = clip([]);
    const loud = { ...quiet, analysis: { ...quiet.analysis, loudnessDb: quiet.analysis.loudnessDb.map((db) => db + 10) } };
    const span = { start: 9_000, end: 30_000 };
    expect(scoreParts(span, loud).energy).toBeGreaterThan(scoreParts(span, quiet).energy);
    expect(segmentScore(span, loud)).toBeGreaterThan(segmentScore(span, quiet));
  });

  it('reward speech over pauses inside a candidate', () => {
    // 53.5–61 s joined across the 1 s pause to 62–90 s holds a pause; 62–90 s alone does not.
    expect(scoreParts({ start: 53_500, end: 90_000 }, clip([])).density).toBeCloseTo(1 - 1_000 / 36_500, 5);
    expect(scoreParts({ start: 62_000, end: 90_000 }, clip([])).density).toBe(1);
  });

  it('reward whole phrases: a cut in the middle of speech costs half of that part per end', () => {
    const cutMidPhrase = clip([20_000]);
    expect(scoreParts({ start: 9_000, end: 20_000 }, cutMidPhrase).phrases).toBe(0.5);
    expect(scoreParts({ start: 20_000, end: 30_000 }, cutMidPhrase).phrases).toBe(0.5);
    expect(scoreParts({ start: 9_000, end: 30_000 }, clip([])).phrases).toBe(1);
    expect(scoreParts({ start: 0, end: 8_000 }, clip([])).phrases).toBe(1); // the clip's start counts as a pause
  });

  it('reward 15–60 s, less at 5 and 90 s; without audio only the length ranks', () => {
    const fit = (s: number) => scoreParts({ start: 0, end: s * 1000 }, { ...clip([]), hasAudio: false });
    expect([fit(5).fit, fit(15).fit, fit(60).fit, fit(90).fit]).toEqual([0.5, 1, 1, 0.5]);
    expect(fit(30)).toEqual({ energy: 0.5, density: 0.5, phrases: 0.5, fit: 1 });
  });
});
