/**
 * A file's duration measured by reading its packets, for files whose header has none: a WebM
 * that a browser's MediaRecorder wrote (it cannot seek back to fill it in), a stream cut from a
 * live source. Reads the whole file once (ffprobe demuxes, it does not decode): the last
 * packet's end less the first packet's start, over every stream.
 */
import { inputOptions, runTool } from './run.ts';
import { sourceReadError } from './storage.ts';

export async function streamDurationMs(ffprobe: string, file: string, signal?: AbortSignal): Promise<number | null> {
  let first = Infinity;
  let last = -Infinity;
  const result = await runTool(ffprobe, ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', ...inputOptions(file), file], {
    signal,
    input: file,
    onStdoutLine(line) {
      const [pts, duration] = line.split(',').map(Number);
      if (pts === undefined || !Number.isFinite(pts)) return;
      first = Math.min(first, pts);
      last = Math.max(last, pts + (Number.isFinite(duration) ? duration! : 0));
    },
  });
  // ffprobe exits 0 after a read that broke off: its packets would measure part of the file.
  if (result.readFailure) throw sourceReadError(result.readFailure, 'ffprobe');
  if (result.code !== 0 || !(last > first)) return null;
  return Math.round((last - first) * 1000);
}
