/**
 * `/clips`: upload (multipart, streamed to disk), list, get, delete, and candidates of one's own.
 * Content-family envelope.
 *
 * Guarantees: an upload is written to the storage's scratch directory as it arrives, never held
 * whole in memory, and is cut off at `LONGRUN_CLIP_MAX_BYTES` (413); it is then put into the
 * storage (a rename for the file driver, a streamed multipart upload for S3); a file ffprobe
 * cannot read is refused (422 `unreadable_media`) and nothing of it stays on disk, in the storage
 * or in the database; the clip row and its analysis job commit together.
 */
import fs from 'node:fs';
import multipart from '@fastify/multipart';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ClipsConfig } from '../../config.ts';
import type { Engine, JobKind } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { newId, nowIso } from '../../ids.ts';
import { acceptContentTypes } from '../../http/contentTypeGate.ts';
import { receiveFormWithFile } from '../../http/multipartForm.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { sendReplay } from '../../http/plugins/idempotency.ts';
import { ContentOk, PageQuery } from '../../http/schemas.ts';
import { answerSubmission, PREFER_WAIT_DOC } from '../../http/submissionAnswer.ts';
import type { Db } from '../../store/database.ts';
import type { AnalysisInput } from './analysisKind.ts';
import type { MediaTools } from '../../media/binaries.ts';
import { adoptClipFile, clipCreatedRecord } from './adopt.ts';
import { candidateInsert, candidatesOf, clipDelete, clipGetForOrg, clipInsert, clipsPageForOrg, type ClipRow } from './sql/clips.ts';
import { BlockedUrlError, checkPublicUrl, type GuardOptions } from '../../net/addressGuard.ts';
import type { Storage } from '../../storage/storage.ts';
import { clipFilesDelete, scratchPath, sourceKey } from './storage.ts';
import { CandidateBody, CandidateView, ClipDeleted, ClipsPage, ClipView, ImportBody } from './schemas.ts';
import { candidateView, clipView } from './view.ts';

export interface ClipRouteOptions {
  db: Db;
  engine: Engine;
  config: ClipsConfig;
  tools: MediaTools;
  storage: Storage;
  analysis: JobKind<AnalysisInput>;
  /** The SSRF guard's settings for URL imports (the webhooks' settings). */
  guard: GuardOptions;
  /** Called before a clip is deleted, to stop its renders. */
  onDelete?(clip: ClipRow): Promise<void>;
}

/** An upload form: a `file` part and a few fields (`name`). */
const FORM_LIMITS = { fields: 10, fieldSize: 10_000 };

const Params = Type.Object({ clipId: Type.String({ maxLength: 100 }) });

export async function clipRoutes(instance: FastifyInstance, opts: ClipRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, storage } = opts;
  // Limits are given where the form is read (receiveFormWithFile), which names them in its errors.
  await app.register(multipart);

  async function clipOf(orgId: string, clipId: string): Promise<ClipRow> {
    const clip = await clipGetForOrg(db, orgId, clipId);
    if (!clip) throw new AppError('not_found', `No clip ${clipId}.`);
    return clip;
  }

  async function answer(clip: ClipRow) {
    return { success: true as const, data: clipView(clip, await candidatesOf(db, [clip.id])) };
  }

  app.post(
    '/clips',
    {
      config: { scope: 'clips:write', idempotent: 'streamed' },
      onRequest: acceptContentTypes(['multipart/form-data']),
      schema: {
        tags: ['clips'],
        summary: 'Upload a video (multipart/form-data: a `file` part, optionally a `name` field)',
        description:
          'Streamed to disk; larger than LONGRUN_CLIP_MAX_BYTES (2 GiB) is 413, as is a form with more than 10 fields or more than one file. Another Content-Type is 415; a form without a boundary, malformed or truncated is 400. A file ffprobe cannot read is 422 `unreadable_media` and is not kept; a storage that cannot be reached, or that breaks off the read of ffprobe, is 503 and nothing is kept either. The clip is then `processing` while its scene cuts and silences are found, and `ready` with candidate segments. With `Idempotency-Key`, the same form (same fields and file bytes) again gets the first answer.',
        consumes: ['multipart/form-data'],
        response: { 201: ContentOk(Type.Ref(ClipView)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const clipId = newId('clip');
      let form;
      let replay;
      let received: string | null = null;
      let key: string;
      try {
        form = await receiveFormWithFile(request, { ...FORM_LIMITS, fileSize: opts.config.maxUploadBytes }, (filename) => {
          received = scratchPath(storage, `${clipId}-upload`);
          key = sourceKey(orgId, clipId, filename);
          return received;
        });
        replay = await request.idempotencyCheck(form.fingerprint);
        if (!replay) await storage.put(key!, { file: form.path });
      } catch (error) {
        if (received) fs.rmSync(received, { force: true });
        await clipFilesDelete(storage, orgId, clipId);
        throw error;
      }
      if (replay) {
        fs.rmSync(form.path, { force: true });
        return sendReplay(reply, replay);
      }
      const given = form.fields.find(([field]) => field === 'name')?.[1]?.trim();
      const name = given ? given.slice(0, 200) : form.filename || 'Untitled clip';
      const clip = await adoptClipFile(opts, orgId, clipId, name, key!, clipCreatedRecord(request));
      return reply.code(201).send(await answer(clip));
    },
  );

  app.post(
    '/clips/import',
    {
      config: { scope: 'clips:write', idempotent: true },
      schema: {
        tags: ['clips'],
        summary: 'Import a video from a URL, fetched by the server',
        description:
          'The URL goes through the same SSRF guard as webhooks (https, public addresses only; refused with 422). The clip is `uploading` while it downloads, then `processing`, `ready` — or `failed` with the reason (a file that cannot be fetched or read is not kept). ' +
          `Its status route is \`GET /clips/{clipId}\`. ${PREFER_WAIT_DOC}`,
        body: ImportBody,
        response: { 200: ContentOk(Type.Ref(ClipView)), 202: ContentOk(Type.Ref(ClipView)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      let url: URL;
      try {
        url = await checkPublicUrl(request.body.url, opts.guard);
      } catch (error) {
        if (error instanceof BlockedUrlError) throw new AppError('validation_error', `body.url is refused: ${error.message}`);
        throw error;
      }
      const now = nowIso();
      const clip: ClipRow = {
        id: newId('clip'),
        org_id: orgId,
        name: request.body.name?.trim() || decodeURIComponent(url.pathname.split('/').pop() || '') || url.host,
        status: 'uploading',
        error: null,
        source_path: null,
        file_size: null,
        duration_ms: null,
        width: null,
        height: null,
        video_codec: null,
        audio_codec: null,
        created_at: now,
        updated_at: now,
      };
      const job = await db.transaction().execute(async (trx) => {
        await clipInsert(trx, clip);
        return opts.engine.submitIn(trx, { orgId, kind: opts.analysis, input: { clipId: clip.id, importUrl: url.toString() } });
      });
      return answerSubmission(opts, request, reply, {
        job,
        statusPath: `/clips/${clip.id}`,
        accepted: await answer(clip),
        finished: async () => answer(await clipOf(orgId, clip.id)),
      });
    },
  );

  app.get(
    '/clips',
    {
      config: { scope: 'clips:read' },
      schema: {
        tags: ['clips'],
        summary: "The organisation's clips, newest first",
        querystring: PageQuery,
        response: { 200: ContentOk(ClipsPage) },
      },
    },
    async (request) => {
      const { clips, total } = await clipsPageForOrg(db, orgOf(request), request.query);
      const candidates = await candidatesOf(
        db,
        clips.map((c) => c.id),
      );
      return { success: true as const, data: { clips: clips.map((c) => clipView(c, candidates)), total } };
    },
  );

  app.get(
    '/clips/:clipId',
    {
      config: { scope: 'clips:read' },
      schema: { tags: ['clips'], summary: 'One clip with its candidate segments', params: Params, response: { 200: ContentOk(Type.Ref(ClipView)) } },
    },
    async (request) => answer(await clipOf(orgOf(request), request.params.clipId)),
  );

  app.delete(
    '/clips/:clipId',
    {
      config: { scope: 'clips:write' },
      schema: {
        tags: ['clips'],
        summary: 'Delete a clip, its files and its renders (running renders are canceled)',
        params: Params,
        response: { 200: ContentOk(ClipDeleted) },
      },
    },
    async (request) => {
      const clip = await clipOf(orgOf(request), request.params.clipId);
      await opts.onDelete?.(clip);
      // Files first: if the storage fails, the clip stays and the DELETE can be sent again.
      await clipFilesDelete(storage, clip.org_id, clip.id);
      await clipDelete(db, clip.id);
      return { success: true as const, data: { id: clip.id, deleted: true as const } };
    },
  );

  app.post(
    '/clips/:clipId/candidates',
    {
      config: { scope: 'clips:write', idempotent: true },
      schema: {
        tags: ['clips'],
        summary: 'Add a candidate segment of your own',
        params: Params,
        body: CandidateBody,
        response: { 201: ContentOk(CandidateView) },
      },
    },
    async (request, reply) => {
      const clip = await clipOf(orgOf(request), request.params.clipId);
      const { startMs, endMs, title } = request.body;
      if (endMs <= startMs) throw new AppError('validation_error', 'body.endMs must be after body.startMs.');
      if (clip.duration_ms !== null && endMs > clip.duration_ms) {
        throw new AppError('validation_error', `body.endMs is past the end of the clip (${clip.duration_ms} ms).`);
      }
      const row = { id: newId('cand'), clip_id: clip.id, start_ms: startMs, end_ms: endMs, title, score: null, source: 'user' as const, created_at: nowIso() };
      await candidateInsert(db, row);
      return reply.code(201).send({ success: true as const, data: candidateView(row) });
    },
  );
}
