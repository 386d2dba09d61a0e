/**
 * What ffprobe says about a media file: duration, size, picture size, codecs. A cover picture
 * (an MP3's or M4A's attached picture) is not video: such a file is audio-only. A file whose
 * header has no duration (a browser's WebM recording) is measured by reading its packets.
 */
import { inputOptions, runTool } from './run.ts';
import { sourceReadError } from './storage.ts';
import { streamDurationMs } from './streamDuration.ts';

export interface MediaInfo {
  durationMs: number;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
}

/** A file ffprobe cannot read as audio/video; the message says why. */
export class UnreadableMediaError extends Error {
  override name = 'UnreadableMediaError';
}

const CONTAINERS = new Set([
  'mov',
  'mp4',
  'm4a',
  '3gp',
  '3g2',
  'mj2',
  'matroska',
  'webm',
  'avi',
  'mpegts',
  'mpeg',
  'flv',
  'ogg',
  'wav',
  'mp3',
  'aac',
  'flac',
  'asf',
  'm4v',
  'mxf',
]);

interface ProbeJson {
  format?: { duration?: string; size?: string; format_name?: string };
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; disposition?: { attached_pic?: number } }[];
}

export async function probeMedia(ffprobe: string, file: string, signal?: AbortSignal): Promise<MediaInfo> {
  const result = await runTool(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...inputOptions(file), file], {
    signal,
    input: file,
  });
  if (result.readFailure) throw sourceReadError(result.readFailure, 'ffprobe');
  // The input is named as "the file": a path or a presigned URL is nobody's business.
  const said = (result.stderr.trim().split('\n').pop() ?? '').replaceAll(file, 'the file');
  if (result.signal) throw new UnreadableMediaError(`ffprobe crashed (${result.signal}) reading the file${said ? `: ${said}` : ', with no message'}.`);
  if (result.code !== 0) throw new UnreadableMediaError(`ffprobe cannot read the file: ${said || `it exited with ${result.code} and printed nothing`}`);
  let json: ProbeJson;
  try {
    json = JSON.parse(result.stdout) as ProbeJson;
  } catch {
    throw new UnreadableMediaError('ffprobe gave no readable description of the file.');
  }
  const video = json.streams?.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = json.streams?.find((s) => s.codec_type === 'audio');
  const duration = Number(json.format?.duration);
  if (!video && !audio) throw new UnreadableMediaError('The file has no audio or video stream.');
  // ffprobe will read almost any bytes as something (ANSI art, CD graphics…); only real
  // audio/video containers are accepted.
  const formats = (json.format?.format_name ?? '').split(',');
  if (!formats.some((f) => CONTAINERS.has(f))) {
    throw new UnreadableMediaError(`ffprobe cannot read the file as a video or audio container (it looks like "${json.format?.format_name ?? 'nothing'}").`);
  }
  const durationMs = Number.isFinite(duration) && duration > 0 ? Math.round(duration * 1000) : await streamDurationMs(ffprobe, file, signal);
  if (!durationMs) throw new UnreadableMediaError('The file has no duration: its header has none and its packets have no times.');
  return {
    durationMs,
    sizeBytes: Number(json.format?.size ?? 0),
    width: video?.width ?? null,
    height: video?.height ?? null,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
  };
}

/** The clip row's columns that a probe fills in. */
export function clipFieldsOf(info: MediaInfo) {
  return {
    duration_ms: info.durationMs,
    width: info.width,
    height: info.height,
    video_codec: info.videoCodec,
    audio_codec: info.audioCodec,
  };
}
