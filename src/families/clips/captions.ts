/**
 * Captions: SRT and WebVTT read into cues, checked, and written back as SRT for ffmpeg's
 * `subtitles` filter, cut to a segment and shifted so the segment starts at zero.
 */

export interface Cue {
  startMs: number;
  endMs: number;
  text: string;
}

export type CaptionFormat = 'srt' | 'vtt';

/** Problems found in a caption file, each naming its line. */
export class CaptionError extends Error {
  override name = 'CaptionError';
}

const TIME = /^(?:(\d{1,2}):)?(\d{2}):(\d{2})[,.](\d{3})$/;

function parseTime(text: string, format: CaptionFormat): number | null {
  const match = TIME.exec(text.trim());
  if (!match) return null;
  if (format === 'srt' && (match[1] === undefined || text.includes('.'))) return null; // SRT: hh:mm:ss,mmm
  const [, h = '0', m, s, ms] = match;
  if (Number(m) > 59 || Number(s) > 59) return null;
  return ((Number(h) * 60 + Number(m!)) * 60 + Number(s!)) * 1000 + Number(ms!);
}

export function detectFormat(text: string): CaptionFormat {
  return /^\uFEFF?WEBVTT/.test(text) ? 'vtt' : 'srt';
}

export function parseCaptions(text: string, format: CaptionFormat = detectFormat(text)): Cue[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const cues: Cue[] = [];
  const problems: string[] = [];
  let i = 0;
  if (format === 'vtt') {
    if (!/^WEBVTT/.test(lines[0] ?? '')) throw new CaptionError('line 1: a WebVTT file starts with "WEBVTT".');
    i = 1;
    while (i < lines.length && lines[i]!.trim() !== '') i++; // header block
  }
  while (i < lines.length) {
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    const blockStart = i;
    // NOTE / STYLE / REGION blocks of WebVTT carry no cue.
    if (format === 'vtt' && /^(NOTE|STYLE|REGION)\b/.test(lines[i]!)) {
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    if (!lines[i]!.includes('-->')) i++; // a cue number (SRT) or identifier (VTT)
    const timing = lines[i] ?? '';
    const arrow = /^\s*(\S+)\s+-->\s+(\S+)/.exec(timing);
    if (!arrow) {
      problems.push(`line ${i + 1}: expected a timing line like ${format === 'srt' ? '00:00:01,000 --> 00:00:04,000' : '00:01.000 --> 00:04.000'}`);
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    const start = parseTime(arrow[1]!, format);
    const end = parseTime(arrow[2]!, format);
    const textLines: string[] = [];
    i++;
    while (i < lines.length && lines[i]!.trim() !== '') textLines.push(lines[i++]!);
    if (start === null || end === null) problems.push(`line ${blockStart + 1}: a time is not in the ${format.toUpperCase()} format`);
    else if (end <= start) problems.push(`line ${blockStart + 1}: the cue ends before it starts`);
    else if (textLines.length === 0) problems.push(`line ${blockStart + 1}: the cue has no text`);
    else cues.push({ startMs: start, endMs: end, text: textLines.join('\n').replace(/<[^>]+>/g, '') });
    if (problems.length >= 10) break;
  }
  if (problems.length > 0) throw new CaptionError(problems.join('; '));
  if (cues.length === 0) throw new CaptionError('the file has no cues.');
  return cues;
}

function srtTime(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)},${pad(ms % 1000, 3)}`;
}

/** The cues that overlap [startMs, endMs], clipped to it and shifted to start at zero, as SRT. */
export function captionsForSegment(cues: Cue[], startMs: number, endMs: number): string {
  return cues
    .filter((c) => c.endMs > startMs && c.startMs < endMs)
    .map((c, n) => `${n + 1}\n${srtTime(Math.max(0, c.startMs - startMs))} --> ${srtTime(Math.min(endMs, c.endMs) - startMs)}\n${c.text}\n`)
    .join('\n');
}
