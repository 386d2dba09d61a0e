/**
 * `clip.render`: cuts one candidate segment out of a clip with ffmpeg, reframes it for a
 * template (an audio-only clip is drawn as its waveform), burns in captions if asked, and writes
 * an H.264 + AAC MP4 with `+faststart`.
 *
 * Guarantees: ffmpeg reads the source from the storage (a local path, or a presigned URL it reads
 * by HTTP range requests: nothing is copied first) and writes a `.partial.mp4` in the storage's
 * scratch directory; only a complete output is put into the storage (a rename for the file
 * driver, an upload for S3), so a failed or canceled render leaves no object — a cancel that
 * lands during the upload aborts it, and one that lands after it (seen by its signal, or read
 * from the database when another process canceled it or deleted the clip) deletes it; a cancel
 * kills ffmpeg (SIGKILL) and waits for it to exit before the partial file is removed; credits
 * (1 per started minute of output, reserved at submission) are charged only when the render
 * succeeds; the output path is recorded with the result, in the checkpoint transaction.
 * Progress comes from ffmpeg's `-progress` output.
 */
import fs from 'node:fs';
import { defineKind, type JobKind, PermanentError } from '../../engine/index.ts';
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import type { MediaTools } from '../../media/binaries.ts';
import { captionsForSegment, type Cue } from './captions.ts';
import { inputOptions, runFailure, runTool } from './run.ts';
import { candidateGet, clipGet, clipUpdate } from './sql/clips.ts';
import type { Storage } from '../../storage/storage.ts';
import { renderKey, scratchPath, sourceInput, sourceReadError, throwIfStorageDown } from './storage.ts';
import type { Template } from './schemas.ts';

export { TEMPLATES, type Template } from './schemas.ts';

export interface RenderInput {
  clipId: string;
  candidateId: string;
  template: Template;
  captions: boolean;
  /** The segment's length, fixed at submission: it sets the price. */
  segmentMs: number;
}

/** 1 credit per started minute of output. */
export function renderCredits(segmentMs: number): number {
  return Math.max(1, Math.ceil(segmentMs / 60_000));
}

/** Seconds of rendering per second of output, as last measured in this process, per template. */
const speed: Record<Template, number> = { default: 0.3, vertical: 0.7, square: 0.5 };

export function estimatedRenderSeconds(segmentMs: number, template: Template): number {
  return Math.max(1, Math.ceil((segmentMs / 1000) * speed[template]));
}

/** Blurred fill: the picture scaled to fit, over itself scaled to cover and blurred. */
function fill(width: number, height: number): string {
  return (
    `split[a][b];[a]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},boxblur=20:2[bg];` +
    `[b]scale=${width}:${height}:force_original_aspect_ratio=decrease[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2,setsar=1`
  );
}

/** An audio-only clip (a podcast, a talk's sound) is drawn as its waveform, at the template's size. */
const WAVEFORM_SIZE: Record<Template, string> = { default: '1280x720', vertical: '1080x1920', square: '1080x1080' };

function videoFilter(template: Template, subtitles: string | null, video: boolean): string {
  const frame = !video
    ? `[0:a]showwaves=s=${WAVEFORM_SIZE[template]}:mode=cline:rate=25:colors=0xd8dee9,setsar=1`
    : `[0:v]${template === 'vertical' ? fill(1080, 1920) : template === 'square' ? fill(1080, 1080) : 'scale=trunc(iw/2)*2:trunc(ih/2)*2,setsar=1'}`;
  // The subtitles filter reads a path: escape what its option syntax would take for itself.
  const burn = subtitles ? `,subtitles=filename='${subtitles.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/:/g, '\\:')}'` : '';
  return `${frame}${burn}[v]`;
}

/** The ffmpeg arguments of one render (also what `npm run bench -- clips` runs bare, to compare). */
export function renderArgs(r: {
  source: string;
  startMs: number;
  endMs: number;
  template: Template;
  subtitles: string | null;
  /** Whether the source has a picture; without one the render draws the audio's waveform. */
  video: boolean;
  audio: boolean;
  output: string;
}): string[] {
  return [
    '-y',
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    ...inputOptions(r.source),
    '-ss',
    (r.startMs / 1000).toFixed(3),
    '-i',
    r.source,
    '-t',
    ((r.endMs - r.startMs) / 1000).toFixed(3),
    '-filter_complex',
    videoFilter(r.template, r.subtitles, r.video),
    '-map',
    '[v]',
    ...(r.audio ? ['-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    r.output,
  ];
}

/** Whether the render's row and its clip still exist and its job has not ended (been canceled). */
async function renderStillWanted(db: Db, jobId: string): Promise<boolean> {
  const row = await db
    .selectFrom('clip_renders as r')
    .innerJoin('jobs as j', 'j.id', 'r.job_id')
    .innerJoin('clips as c', 'c.id', 'r.clip_id')
    .select('j.status')
    .where('r.job_id', '=', jobId)
    .executeTakeFirst();
  return row !== undefined && (row.status === 'running' || row.status === 'queued');
}

/** ffmpeg's URL of the source lasts the whole render (its item timeout). */
const RENDER_URL_TTL_SECONDS = 2 * 3600 + 60;

export function renderKind(db: Db, tools: MediaTools, storage: Storage): JobKind<RenderInput> {
  return defineKind<RenderInput>({
    name: 'clip.render',
    scope: 'clips',
    maxAttempts: 2,
    itemTimeoutMs: 2 * 3_600_000,
    faultMessage: 'An unexpected error occurred while rendering.',
    webhooks: { completed: 'clip.render.completed', failed: 'clip.render.failed' },
    pricing: { maxPerItem: (input) => renderCredits(input.segmentMs), forResult: (_r, input) => renderCredits(input.segmentMs) },
    async process({ jobId, input, signal, reportProgress }) {
      const clip = await clipGet(db, input.clipId);
      const candidate = clip && (await candidateGet(db, clip.id, input.candidateId));
      if (!clip || !clip.source_path || !candidate) throw new PermanentError('CLIP_NOT_FOUND', 'The clip or its candidate no longer exists.');
      const output = renderKey(clip.org_id, clip.id, jobId);
      // The job id stays in the names: ffmpeg's command line says which render it is.
      const partial = scratchPath(storage, `${jobId}.partial.mp4`);
      const subtitles = scratchPath(storage, `${jobId}.srt`);
      let stored = false;
      const started = Date.now();
      await clipUpdate(db, clip.id, { status: 'rendering', updated_at: nowIso() });
      try {
        let subtitleFile: string | null = null;
        if (input.captions) {
          const row = await db.selectFrom('clip_captions').select('cues').where('clip_id', '=', clip.id).executeTakeFirst();
          if (!row) throw new PermanentError('NO_CAPTIONS', 'The clip has no captions; upload them with POST /clips/{clipId}/captions.');
          fs.writeFileSync(subtitles, captionsForSegment(JSON.parse(row.cues) as Cue[], candidate.start_ms, candidate.end_ms));
          subtitleFile = subtitles;
        }
        const durationS = (candidate.end_ms - candidate.start_ms) / 1000;
        const source = await sourceInput(storage, clip.source_path, RENDER_URL_TTL_SECONDS, 'RENDER_FAILED');
        const args = renderArgs({
          source,
          startMs: candidate.start_ms,
          endMs: candidate.end_ms,
          template: input.template,
          subtitles: subtitleFile,
          video: clip.video_codec !== null,
          audio: clip.audio_codec !== null,
          output: partial,
        });
        const result = await runTool(tools.ffmpeg.path, ['-progress', 'pipe:1', ...args], {
          signal,
          input: source,
          onStdoutLine(line) {
            const done = /^out_time_(?:us|ms)=(\d+)/.exec(line);
            if (done) reportProgress(Number(done[1]) / 1_000_000 / durationS);
          },
        });
        if (result.readFailure) throw sourceReadError(result.readFailure);
        if (result.code !== 0) {
          await throwIfStorageDown(storage, clip.source_path);
          throw new PermanentError('RENDER_FAILED', `ffmpeg ${runFailure(result, 2).replaceAll(source, 'the file')}`);
        }
        await storage.put(output, { file: partial }, { signal, contentType: 'video/mp4' });
        stored = true;
        signal.throwIfAborted();
        // A cancel (or the clip's deletion) in another process may not have reached this one's
        // signal yet; both are committed before the clip's files are deleted, so this sees them.
        if (!(await renderStillWanted(db, jobId))) throw new PermanentError('RENDER_CANCELED', 'The render was canceled or its clip deleted.');
        reportProgress(1);
        speed[input.template] = (Date.now() - started) / 1000 / Math.max(durationS, 0.1);
        return { output, durationMs: candidate.end_ms - candidate.start_ms };
      } catch (error) {
        fs.rmSync(partial, { force: true });
        if (stored) await storage.delete(output).catch(() => {});
        throw error;
      } finally {
        fs.rmSync(subtitles, { force: true });
        const rendered = await db
          .selectFrom('clip_renders')
          .select('job_id')
          .where('clip_id', '=', clip.id)
          .where('output_path', 'is not', null)
          .executeTakeFirst();
        await clipUpdate(db, clip.id, { status: rendered ? 'rendered' : 'ready', updated_at: nowIso() }).catch(() => {});
      }
    },
    async commitResult(trx, { jobId, input, result }) {
      await trx
        .updateTable('clip_renders')
        .set({ output_path: (result as { output: string }).output })
        .where('job_id', '=', jobId)
        .execute();
      await clipUpdate(trx, input.clipId, { status: 'rendered', updated_at: nowIso() });
    },
  });
}
