/**
 * `clip.analysis`: after an upload, finds a clip's scene cuts and silences and proposes its
 * candidate segments (see segments.ts); the clip goes `processing` → `ready`, or `failed` with
 * the reason. Internal: the clip's status is what users watch.
 */
import { PermanentError } from '../engine/errors.ts';
import { defineKind, type JobKind } from '../engine/kind.ts';
import { newId, nowIso } from '../ids.ts';
import type { Db } from '../store/database.ts';
import { analyseMedia } from './analyse.ts';
import type { MediaTools } from './binaries.ts';
import { proposeSegments } from './segments.ts';
import { candidatesReplaceDetected, clipGet, clipUpdate } from './sql/clips.ts';
import type { ClipStorage } from './storage.ts';

export interface AnalysisInput {
  clipId: string;
}

export function analysisKind(db: Db, tools: MediaTools, storage: ClipStorage): JobKind<AnalysisInput> {
  return defineKind<AnalysisInput>({
    name: 'clip.analysis',
    internal: true,
    maxAttempts: 2,
    itemTimeoutMs: 30 * 60_000,
    async process({ input, signal }) {
      const clip = await clipGet(db, input.clipId);
      if (!clip || !clip.source_path) throw new PermanentError('CLIP_NOT_FOUND', 'The clip no longer exists.');
      try {
        const analysis = await analyseMedia(tools.ffmpeg.path, storage.resolve(clip.source_path), {
          hasVideo: clip.video_codec !== null,
          hasAudio: clip.audio_codec !== null,
          durationMs: clip.duration_ms ?? 0,
        }, signal);
        const segments = proposeSegments(clip.duration_ms ?? 0, analysis, clip.audio_codec !== null);
        const now = nowIso();
        await db.transaction().execute(async (trx) => {
          await candidatesReplaceDetected(
            trx,
            clip.id,
            segments.map((s) => ({ id: newId('cand'), clip_id: clip.id, start_ms: s.startMs, end_ms: s.endMs, title: s.title, score: s.score, source: 'detected' as const, created_at: now })),
          );
          await clipUpdate(trx, clip.id, { status: 'ready', error: null, updated_at: now });
        });
        return { candidates: segments.length, sceneCuts: analysis.sceneCutsMs.length, silences: analysis.silences.length };
      } catch (error) {
        if (signal.aborted) throw error;
        const reason = `The video could not be analysed: ${(error as Error).message}`;
        await clipUpdate(db, clip.id, { status: 'failed', error: reason, updated_at: nowIso() });
        throw new PermanentError('ANALYSIS_FAILED', reason);
      }
    },
  });
}
