/**
 * Turns a file already in a new clip's folder into a clip: probes it (refusing what ffprobe
 * cannot read, and removing it), then stores the clip and its analysis job in one transaction.
 * Every way in — multipart upload, resumable upload, URL import — ends here. A request's
 * `Idempotency-Key` record, when given, commits in that same transaction.
 */
import fs from 'node:fs';
import type { FastifyRequest } from 'fastify';
import type { Engine, JobKind } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import type { AnalysisInput } from './analysisKind.ts';
import type { MediaTools } from '../../media/binaries.ts';
import { clipFieldsOf, probeMedia, UnreadableMediaError } from './probe.ts';
import { clipInsert, type ClipRow } from './sql/clips.ts';
import type { ClipStorage } from './storage.ts';
import { clipView } from './view.ts';

export interface AdoptDeps {
  db: Db;
  engine: Engine;
  tools: MediaTools;
  storage: ClipStorage;
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
  file: string,
  idempotency: ClipIdempotency | null = null,
): Promise<ClipRow> {
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
    storage.removeClip(orgId, clipId);
    throw error;
  }
  return clip;
}
