/**
 * The candidate rules of the README on generated layouts of cuts and pauses (seeded, bounded):
 * 5–90 s, never across a cut, bounds only at cuts, pauses of 0.5 s or more, the clip's ends or
 * the equal split of a long stretch, never on dead air, and no stretch of 5 s of sound in a shot
 * left without a candidate. Then the layout of the issue: cuts a few seconds after a phrase starts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../src/families/clips/analyse.ts';
import type { Span } from '../../src/families/clips/pauses.ts';
import { candidateSpans, MAX_SEGMENT_MS, MIN_SEGMENT_MS, proposeSegments, segmentTitle } from '../../src/families/clips/segments.ts';

const layout = fc
  .integer({ min: 1_000, max: 400_000 })
  .chain((durationMs) =>
    fc.record({
      durationMs: fc.constant(durationMs),
      cuts: fc.array(fc.integer({ min: 1, max: durationMs - 1 }), { maxLength: 25 }),
      silences: fc.array(
        fc.record({
          startMs: fc.integer({ min: 0, max: durationMs - 1 }),
          // Short pauses (under 0.5 s) must never split; long ones up to 40 s.
          lengthMs: fc.oneof(fc.integer({ min: 20, max: 480 }), fc.integer({ min: 500, max: 40_000 })),
        }),
        { maxLength: 30 },
      ),
    }),
  )
  .map(({ durationMs, cuts, silences }) => ({
    durationMs,
    analysis: {
      sceneCutsMs: cuts,
      silences: silences.map((s) => ({ startMs: s.startMs, endMs: Math.min(durationMs, s.startMs + s.lengthMs) })),
      loudnessDb: Array.from({ length: Math.ceil(durationMs / 1000) }, () => -20),
    } satisfies Analysis,
  }));

const inside = (t: number, s: Span) => t > s.start && t < s.end;

/** The pauses of 0.5 s or more, overlaps merged (the generator makes none between 480 and 500 ms). */
function longPauses(analysis: Analysis): Span[] {
  const merged: Span[] = [];
  for (const s of [...analysis.silences].sort((a, b) => a.startMs - b.startMs)) {
    if (s.endMs - s.startMs < 500) continue;
    const last = merged.at(-1);
    if (last && s.startMs <= last.end) last.end = Math.max(last.end, s.endMs);
    else merged.push({ start: s.startMs, end: s.endMs });
  }
  return merged;
}

/** Every rule; returns the first one broken, or null. */
function brokenRule(durationMs: number, analysis: Analysis, spans: Span[]): string | null {
  if (durationMs < MIN_SEGMENT_MS) return spans.length === 1 && spans[0]!.start === 0 && spans[0]!.end === durationMs ? null : 'a short clip is one candidate';
  const cuts = analysis.sceneCutsMs.filter((c) => c > 0 && c < durationMs);
  // A clip without a second of sound is cut at its shots alone.
  const silent = longPauses(analysis).some((p) => p.start <= 0 && p.end >= durationMs);
  const pauses = silent ? [] : longPauses(analysis);
  for (const [i, s] of spans.entries()) {
    const at = `candidate ${s.start}–${s.end}`;
    if (s.end - s.start < MIN_SEGMENT_MS || s.end - s.start > MAX_SEGMENT_MS) return `${at} lasts 5–90 s`;
    if (i > 0 && s.start < spans[i - 1]!.end) return `${at} follows the one before`;
    if (s.start < 0 || s.end > durationMs) return `${at} lies in the clip`;
    if (cuts.some((c) => inside(c, s))) return `${at} crosses a cut`;
    if (pauses.some((p) => (s.start >= p.start && s.start < p.end) || (s.end > p.start && s.end <= p.end))) return `${at} opens or closes on dead air`;
    // An equal split of a long stretch: contiguous with its neighbour, the two over 90 s.
    const split = (t: number) =>
      spans.some((o, j) => Math.abs(j - i) === 1 && (o.start === t || o.end === t) && Math.max(o.end, s.end) - Math.min(o.start, s.start) > MAX_SEGMENT_MS);
    const opens = s.start === 0 || cuts.includes(s.start) || pauses.some((p) => p.end === s.start) || split(s.start);
    const closes = s.end === durationMs || cuts.includes(s.end) || pauses.some((p) => p.start === s.end) || split(s.end);
    if (!opens || !closes) return `${at} is bounded by a cut, a pause, the clip's ends or an equal split`;
  }
  // Nothing worth keeping is lost: every stretch of 5 s of sound within one shot is covered.
  const bounds = [...new Set([0, ...cuts, durationMs])].sort((a, b) => a - b);
  for (let k = 0; k + 1 < bounds.length; k++) {
    let from = bounds[k]!;
    const stretches: Span[] = [];
    for (const p of pauses) {
      if (p.end <= from || p.start >= bounds[k + 1]!) continue;
      if (p.start > from) stretches.push({ start: from, end: p.start });
      from = p.end;
    }
    if (from < bounds[k + 1]!) stretches.push({ start: from, end: bounds[k + 1]! });
    for (const st of stretches) {
      if (st.end - st.start < MIN_SEGMENT_MS) continue;
      const mid = (st.start + st.end) / 2;
      if (!spans.some((s) => s.start <= mid && s.end >= mid)) return `the stretch of sound ${st.start}–${st.end} has no candidate`;
    }
  }
  return null;
}

describe('candidate rules on generated layouts', () => {
  it('holds every rule of the README', () => {
    fc.assert(
      fc.property(layout, ({ durationMs, analysis }) => {
        expect(brokenRule(durationMs, analysis, candidateSpans(durationMs, analysis))).toBeNull();
      }),
      { seed: 34, numRuns: 600 },
    );
  });

  it('titles every candidate and scores it 0–100', () => {
    fc.assert(
      fc.property(layout, fc.boolean(), ({ durationMs, analysis }, hasAudio) => {
        for (const [i, c] of proposeSegments(durationMs, analysis, hasAudio).entries()) {
          expect(c.title).toMatch(new RegExp(`^Segment ${i + 1} · \\d{2}:\\d{2}–\\d{2}:\\d{2}$`));
          expect(c.score).toBeGreaterThanOrEqual(0);
          expect(c.score).toBeLessThanOrEqual(100);
        }
      }),
      { seed: 35, numRuns: 200 },
    );
  });
});

describe('a talk cut the way talks are edited', () => {
  // Phrases of about 20 s with 1 s pauses; four cuts, each 2–3 s after a phrase starts.
  const durationMs = 120_000;
  const analysis: Analysis = {
    sceneCutsMs: [23_000, 45_500, 67_000, 93_000],
    silences: [
      { startMs: 20_000, endMs: 21_000 },
      { startMs: 42_000, endMs: 43_000 },
      { startMs: 64_000, endMs: 65_000 },
      { startMs: 90_000, endMs: 91_000 },
    ],
    loudnessDb: Array.from({ length: 120 }, () => -20),
  };

  it('joins the few seconds before each cut to the phrase before it, never across the cut', () => {
    expect(candidateSpans(durationMs, analysis)).toEqual([
      { start: 0, end: 23_000 },
      { start: 23_000, end: 45_500 },
      { start: 45_500, end: 67_000 },
      { start: 67_000, end: 93_000 },
      { start: 93_000, end: 120_000 },
    ]);
    expect(brokenRule(durationMs, analysis, candidateSpans(durationMs, analysis))).toBeNull();
  });

  it('drops a piece that has no neighbour in its shot, rather than cross a cut', () => {
    // A 3 s shot of its own between two cuts.
    const spans = candidateSpans(30_000, { sceneCutsMs: [10_000, 13_000], silences: [], loudnessDb: [] });
    expect(spans).toEqual([
      { start: 0, end: 10_000 },
      { start: 13_000, end: 30_000 },
    ]);
  });

  it('never splits on a pause under 0.5 s', () => {
    const spans = candidateSpans(30_000, { sceneCutsMs: [], silences: [{ startMs: 12_000, endMs: 12_400 }], loudnessDb: [] });
    expect(spans).toEqual([{ start: 0, end: 30_000 }]);
  });
});

describe('titles', () => {
  it('show times rounded to the second, not truncated', () => {
    expect(segmentTitle(0, 29_000, 35_996)).toBe('Segment 1 · 00:29–00:36');
    expect(segmentTitle(2, 59_499, 119_500)).toBe('Segment 3 · 00:59–02:00');
  });
});
