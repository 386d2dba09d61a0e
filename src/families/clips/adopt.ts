/**
 * Turns a file already stored under a new clip's key into a clip: probes it (refusing what
 * ffprobe cannot read, and deleting it), then stores the clip and its analysis job in one transaction.
 * Every way in — multipart upload, resumable upload, URL import — ends here. A request's
 * `Idempotency-Key` record, when given, commits in that same transaction.
 */
import type { FastifyRequest } from 'fastify';
import type { Engine, JobKind } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import type { AnalysisInput } from './analysisKind.ts';
import type { MediaTools } from '../../media/binaries.ts';
import { clipFieldsOf, probeMedia, UnreadableMediaError } from './probe.ts';
import { clipInsert, type ClipRow } from './sql/clips.ts';
import type { Storage } from '../../storage/storage.ts';
import { clipFilesDelete } from './storage.ts';
import { clipView } from './view.ts';

/** How long ffprobe's URL of a stored source stays valid (S3: it reads by ranged GETs). */
export const PROBE_URL_TTL_SECONDS = 3600;

export interface AdoptDeps {
  db: Db;
  engine: Engine;
  tools: MediaTools;
  storage: Storage;
  analysis: JobKind<AnalysisInput>;
}

/** The request's idempotency claim, if it has one, answered with the new clip (201). */
export function clipCreatedRecord(request: FastifyRequest): ClipIdempotency | null {
  const claim = request.idempotency;
  return claim ? { key: claim.key, respond: (clip) => ({ status: 201, body: { success: true, data: clipView(clip, []) } }) } : null;
}

export interface ClipIdempotency {
  key: string;
  respond(clip: ClipRow): { status: number; body: unknown };
}

export async function adoptClipFile(
  deps: AdoptDeps,
  orgId: string,
  clipId: string,
  name: string,
  key: string,
  idempotency: ClipIdempotency | null = null,
): Promise<ClipRow> {
  const { db, engine, storage } = deps;
  let info;
  let size;
  try {
    info = await probeMedia(deps.tools.ffprobe.path, await storage.mediaInput(key, PROBE_URL_TTL_SECONDS));
    size = await storage.size(key);
  } catch (error) {
    await clipFilesDelete(storage, orgId, clipId);
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
    source_path: key,
    file_size: size,
    ...clipFieldsOf(info),
    created_at: now,
    updated_at: now,
  };
  try {
    await db.transaction().execute(async (trx) => {
      await clipInsert(trx, clip);
      return engine.submitIn(trx, {
        orgId,
        kind: deps.analysis,
        input: { clipId },
        idempotency: idempotency ? { key: idempotency.key, respond: () => idempotency.respond(clip) } : null,
      });
    });
  } catch (error) {
    await clipFilesDelete(storage, orgId, clipId);
    throw error;
  }
  return clip;
}
