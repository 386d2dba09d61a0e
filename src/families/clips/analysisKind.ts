/**
 * `clip.analysis`: makes a clip ready. For a URL import it first downloads the file (under the
 * SSRF guard) and probes it (`uploading` → `processing`); then it finds the clip's scene cuts and
 * silences and proposes its candidate segments (see segments.ts): `processing` → `ready`, or
 * `failed` with the reason (a file that cannot be fetched or read is removed). An import is
 * downloaded to a scratch file, probed there, then put into the storage; ffmpeg reads the
 * stored source (a path, or a presigned URL for S3). Internal: the
 * clip's status is what users watch.
 */
import fs from 'node:fs';
import { defineKind, type JobKind, PermanentError, RetryableError } from '../../engine/index.ts';
import type { GuardOptions } from '../../net/addressGuard.ts';
import { newId, nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import { analyseMedia } from './analyse.ts';
import type { MediaTools } from '../../media/binaries.ts';
import { proposeSegments } from './segments.ts';
import { fetchToFile, ImportError } from '../../net/fetchToFile.ts';
import { clipFieldsOf, probeMedia, UnreadableMediaError } from './probe.ts';
import { candidatesReplaceDetected, clipGet, clipUpdate, type ClipRow } from './sql/clips.ts';
import type { Storage } from '../../storage/storage.ts';
import { clipFilesDelete, scratchPath, sourceInput, sourceKey, throwIfStorageDown } from './storage.ts';

/** ffmpeg's URL of the source lasts the whole analysis (its item timeout). */
const ANALYSIS_URL_TTL_SECONDS = 30 * 60 + 60;

export interface AnalysisInput {
  clipId: string;
  /** Fetch the source from here first (POST /clips/import). */
  importUrl?: string;
}

export interface ImportOptions extends GuardOptions {
  maxBytes: number;
  timeoutMs: number;
}

/** Downloads and probes an imported clip's source; on failure the clip is failed and its folder removed. */
async function importSource(
  db: Db,
  tools: MediaTools,
  storage: Storage,
  clip: ClipRow,
  url: string,
  options: ImportOptions,
  signal: AbortSignal,
): Promise<void> {
  const key = sourceKey(clip.org_id, clip.id, new URL(url).pathname);
  const file = scratchPath(storage, `${clip.id}-import`);
  try {
    await fetchToFile(url, file, { ...options, signal });
    const info = await probeMedia(tools.ffprobe.path, file, signal);
    const { size } = await storage.put(key, { file }, { signal });
    // Deleted while it downloaded (maybe by another process): the catch below deletes this file too.
    if (!(await clipGet(db, clip.id))) throw new ImportError('The clip was deleted during its import.');
    await clipUpdate(db, clip.id, {
      status: 'processing',
      source_path: key,
      file_size: size,
      ...clipFieldsOf(info),
      updated_at: nowIso(),
    });
  } catch (error) {
    fs.rmSync(file, { force: true });
    if (signal.aborted) throw error;
    await clipFilesDelete(storage, clip.org_id, clip.id);
    const reason = error instanceof ImportError || error instanceof UnreadableMediaError ? error.message : `The import failed: ${(error as Error).message}`;
    await clipUpdate(db, clip.id, { status: 'failed', error: reason, updated_at: nowIso() });
    throw new PermanentError('IMPORT_FAILED', reason);
  }
}

const ANALYSIS_ATTEMPTS = 2;

export function analysisKind(db: Db, tools: MediaTools, storage: Storage, importOptions: ImportOptions): JobKind<AnalysisInput> {
  return defineKind<AnalysisInput>({
    name: 'clip.analysis',
    scope: 'clips',
    internal: true,
    maxAttempts: ANALYSIS_ATTEMPTS,
    itemTimeoutMs: 30 * 60_000,
    async process({ item, input, signal }) {
      let clip = await clipGet(db, input.clipId);
      if (clip && !clip.source_path && input.importUrl) {
        await importSource(db, tools, storage, clip, input.importUrl, importOptions, signal);
        clip = await clipGet(db, input.clipId);
      }
      if (!clip || !clip.source_path) throw new PermanentError('CLIP_NOT_FOUND', 'The clip no longer exists.');
      try {
        const analysis = await analyseMedia(
          tools.ffmpeg.path,
          await sourceInput(storage, clip.source_path, ANALYSIS_URL_TTL_SECONDS, 'ANALYSIS_FAILED'),
          {
            hasVideo: clip.video_codec !== null,
            hasAudio: clip.audio_codec !== null,
            durationMs: clip.duration_ms ?? 0,
          },
          signal,
        );
        const segments = proposeSegments(clip.duration_ms ?? 0, analysis, clip.audio_codec !== null);
        const now = nowIso();
        await db.transaction().execute(async (trx) => {
          await candidatesReplaceDetected(
            trx,
            clip.id,
            segments.map((s) => ({
              id: newId('cand'),
              clip_id: clip.id,
              start_ms: s.startMs,
              end_ms: s.endMs,
              title: s.title,
              score: s.score,
              source: 'detected' as const,
              created_at: now,
            })),
          );
          await clipUpdate(trx, clip.id, { status: 'ready', error: null, updated_at: now });
        });
        return { candidates: segments.length, sceneCuts: analysis.sceneCutsMs.length, silences: analysis.silences.length };
      } catch (error) {
        if (signal.aborted) throw error;
        // The storage down for a while: tried again, the clip still analysing, unless this was the last try.
        if (item.attempt < ANALYSIS_ATTEMPTS) {
          if (error instanceof RetryableError) throw error;
          await throwIfStorageDown(storage, clip.source_path);
        }
        const reason = `The video could not be analysed: ${(error as Error).message}`;
        await clipUpdate(db, clip.id, { status: 'failed', error: reason, updated_at: nowIso() });
        throw new PermanentError('ANALYSIS_FAILED', reason);
      }
    },
  });
}
