/**
 * A candidate's score, 0–100, from documented signals:
 *   50 × audio energy   mean RMS level over the segment, −60 dBFS → 0, −10 dBFS → 1
 *                       (0.5 when the clip has no audio)
 *   30 × scene density  scene cuts within the segment (and at its edges) per minute, 6/min → 1
 *   20 × length fit     1 from 15 to 60 s, falling to 0.5 at 5 s and at 90 s
 */
import type { Analysis } from './analyse.ts';
import type { Span } from './pauses.ts';

export function segmentScore(
  { start: startMs, end: endMs }: Span,
  { analysis, hasAudio }: { durationMs: number; analysis: Analysis; hasAudio: boolean },
): number {
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
