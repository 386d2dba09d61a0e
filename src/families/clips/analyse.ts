/**
 * One ffmpeg pass over a clip that reports its scene changes (the `scene` score of the select
 * filter above 0.3, via showinfo), its silences (silencedetect, below −35 dB for at least
 * 0.5 s), and its audio loudness per second (astats RMS level).
 */
import { inputOptions, runFailure, runTool } from './run.ts';
import { sourceReadError } from './storage.ts';

export interface Analysis {
  /** Times of hard cuts, in ms. */
  sceneCutsMs: number[];
  silences: { startMs: number; endMs: number }[];
  /** RMS level per second of audio, in dBFS (−∞ becomes −90). */
  loudnessDb: number[];
}

export const SCENE_THRESHOLD = 0.3;
export const SILENCE_DB = -35;
export const SILENCE_MIN_S = 0.5;

export async function analyseMedia(
  ffmpeg: string,
  file: string,
  info: { hasVideo: boolean; hasAudio: boolean; durationMs: number },
  signal?: AbortSignal,
): Promise<Analysis> {
  const args = ['-hide_banner', '-nostats', ...inputOptions(file), '-i', file];
  if (info.hasVideo) args.push('-map', '0:v:0', '-vf', `select='gt(scene,${SCENE_THRESHOLD})',showinfo`);
  if (info.hasAudio) {
    args.push(
      '-map',
      '0:a:0',
      '-af',
      `silencedetect=noise=${SILENCE_DB}dB:d=${SILENCE_MIN_S},aresample=8000,asetnsamples=n=8000,astats=metadata=1:reset=1,ametadata=print:key=lavfi.astats.Overall.RMS_level`,
    );
  }
  args.push('-f', 'null', '-');
  const sceneCutsMs: number[] = [];
  const silences: { startMs: number; endMs: number }[] = [];
  const loudnessDb: number[] = [];
  let openSilence: number | null = null;
  const result = await runTool(ffmpeg, args, {
    signal,
    input: file,
    onStderrLine(line) {
      const scene = /Parsed_showinfo.*\bpts_time:\s*([\d.]+)/.exec(line);
      if (scene) sceneCutsMs.push(Math.round(Number(scene[1]) * 1000));
      const start = /silence_start:\s*(-?[\d.]+)/.exec(line);
      if (start) openSilence = Math.max(0, Math.round(Number(start[1]) * 1000));
      const end = /silence_end:\s*([\d.]+)/.exec(line);
      if (end && openSilence !== null) {
        silences.push({ startMs: openSilence, endMs: Math.round(Number(end[1]) * 1000) });
        openSilence = null;
      }
      const rms = /lavfi\.astats\.Overall\.RMS_level=(-?inf|-?[\d.]+)/.exec(line);
      if (rms) loudnessDb.push(rms[1]!.includes('inf') ? -90 : Math.max(-90, Number(rms[1])));
    },
  });
  // Checked before the exit code: ffmpeg may exit 0 having analysed only what it read.
  if (result.readFailure) throw sourceReadError(result.readFailure);
  if (result.code !== 0) throw new Error(`ffmpeg ${runFailure(result).replaceAll(file, 'the file')}`);
  if (openSilence !== null) silences.push({ startMs: openSilence, endMs: info.durationMs });
  return { sceneCutsMs, silences, loudnessDb };
}
