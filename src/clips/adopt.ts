/**
 * Turns a file already in a new clip's folder into a clip: probes it (refusing what ffprobe
 * cannot read, and removing it), then stores the clip and its analysis job in one transaction.
 * Every way in — multipart upload, resumable upload, URL import — ends here.
 */
import fs from 'node:fs';
import type { Engine } from '../engine/engine.ts';
import type { JobKind } from '../engine/kind.ts';
import { AppError } from '../errors.ts';
import { nowIso } from '../ids.ts';
import type { Db } from '../store/database.ts';
import type { AnalysisInput } from './analysisKind.ts';
import type { MediaTools } from './binaries.ts';
import { clipFieldsOf, probeMedia, UnreadableMediaError } from './probe.ts';
import { clipInsert, type ClipRow } from './sql/clips.ts';
import type { ClipStorage } from './storage.ts';

export interface AdoptDeps {
  db: Db;
  engine: Engine;
  tools: MediaTools;
  storage: ClipStorage;
  analysis: JobKind<AnalysisInput>;
}

export async function adoptClipFile(deps: AdoptDeps, orgId: string, clipId: string, name: string, file: string): Promise<ClipRow> {
  const { db, engine, storage } = deps;
  let info;
  try {
    info = await probeMedia(deps.tools.ffprobe.path, file);
  } catch (error) {
    storage.removeClip(orgId, clipId);
    if (error instanceof UnreadableMediaError) throw new AppError('unreadable_media', `${error.message} Nothing was kept.`);
    throw error;
  }
  const now = nowIso();
  const clip: ClipRow = {
    id: clipId,
    org_id: orgId,
    name,
    status: 'processing',
    error: null,
    source_path: storage.relative(file),
    file_size: fs.statSync(file).size,
    ...clipFieldsOf(info),
    created_at: now,
    updated_at: now,
  };
  try {
    const job = await db.transaction().execute(async (trx) => {
      await clipInsert(trx, clip);
      return engine.submitIn(trx, { orgId, kind: deps.analysis, input: { clipId } });
    });
    engine.signalSubmitted(job.id);
  } catch (error) {
    storage.removeClip(orgId, clipId);
    throw error;
  }
  return clip;
}
