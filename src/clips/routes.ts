/**
 * `/clips`: upload (multipart, streamed to disk), list, get, delete, and candidates of one's own.
 * Content-family envelope.
 *
 * Guarantees: an upload is written to disk as it arrives, never held whole in memory, and is cut
 * off at `LONGRUN_CLIP_MAX_BYTES` (413); a file ffprobe cannot read is refused (422
 * `unreadable_media`) and nothing of it stays on disk or in the database; the clip row and its
 * analysis job commit together.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ClipsConfig } from '../config.ts';
import type { Engine } from '../engine/engine.ts';
import type { JobKind } from '../engine/kind.ts';
import { AppError } from '../errors.ts';
import { newId, nowIso } from '../ids.ts';
import { orgOf } from '../server/plugins/auth.ts';
import { ContentOk, PageQuery } from '../server/schemas.ts';
import type { Db } from '../store/database.ts';
import type { AnalysisInput } from './analysisKind.ts';
import type { MediaTools } from './binaries.ts';
import { adoptClipFile } from './adopt.ts';
import { candidateInsert, candidatesOf, clipDelete, clipGetForOrg, clipInsert, clipsPageForOrg, type ClipRow } from './sql/clips.ts';
import { BlockedUrlError, checkHostResolves, checkUrl, type GuardOptions } from '../webhooks/addressGuard.ts';
import type { ClipStorage } from './storage.ts';
import { CandidateView, ClipView, candidateView, clipView } from './view.ts';

export interface ClipRouteOptions {
  db: Db;
  engine: Engine;
  config: ClipsConfig;
  tools: MediaTools;
  storage: ClipStorage;
  analysis: JobKind<AnalysisInput>;
  /** The SSRF guard's settings for URL imports (the webhooks' settings). */
  guard: GuardOptions;
  /** Called before a clip is deleted, to stop its renders. */
  onDelete?(clip: ClipRow): Promise<void>;
}

const Params = Type.Object({ clipId: Type.String({ maxLength: 100 }) });

export const ImportBody = Type.Object({ url: Type.String({ maxLength: 2000 }), name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });

export const ClipsPage = Type.Object({ clips: Type.Array(Type.Ref(ClipView)), total: Type.Integer() });

export const ClipDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

/** Candidates' times are stored as PostgreSQL `integer`s: at most 2³¹−1 ms (about 24.8 days). */
const MAX_CLIP_MS = 2_147_483_647;

export const CandidateBody = Type.Object(
  { startMs: Type.Integer({ minimum: 0, maximum: MAX_CLIP_MS }), endMs: Type.Integer({ minimum: 1, maximum: MAX_CLIP_MS }), title: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export async function clipRoutes(instance: FastifyInstance, opts: ClipRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, storage } = opts;
  await app.register(multipart, { limits: { fileSize: opts.config.maxUploadBytes, files: 1, fields: 10, fieldSize: 10_000 } });

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
      config: { scope: 'clips:write' },
      schema: {
        tags: ['clips'],
        summary: 'Upload a video (multipart/form-data: a `file` part, optionally a `name` field before it)',
        description:
          'Streamed to disk; larger than LONGRUN_CLIP_MAX_BYTES (2 GiB) is 413. A file ffprobe cannot read is 422 `unreadable_media` and is not kept. The clip is then `processing` while its scene cuts and silences are found, and `ready` with candidate segments.',
        consumes: ['multipart/form-data'],
        response: { 201: ContentOk(Type.Ref(ClipView)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const part = await request.file();
      if (!part) throw new AppError('validation_error', 'The form has no file part.');
      const clipId = newId('clip');
      const file = storage.sourcePath(orgId, clipId, part.filename);
      fs.mkdirSync(storage.clipDir(orgId, clipId), { recursive: true });
      try {
        await pipeline(part.file, fs.createWriteStream(file));
      } catch (error) {
        storage.removeClip(orgId, clipId);
        throw error;
      }
      if (part.file.truncated) {
        storage.removeClip(orgId, clipId);
        throw new AppError('payload_too_large', `The file is larger than the limit of ${opts.config.maxUploadBytes} bytes; nothing was kept.`);
      }
      const field = part.fields.name as { value?: unknown } | undefined;
      const name = typeof field?.value === 'string' && field.value.trim() ? field.value.trim().slice(0, 200) : part.filename || 'Untitled clip';
      const clip = await adoptClipFile(opts, orgId, clipId, name, file);
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
          'The URL goes through the same SSRF guard as webhooks (https, public addresses only; refused with 422). The clip is `uploading` while it downloads, then `processing`, `ready` — or `failed` with the reason (a file that cannot be fetched or read is not kept).',
        body: ImportBody,
        response: { 202: ContentOk(Type.Ref(ClipView)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      let url: URL;
      try {
        url = checkUrl(request.body.url, opts.guard);
        await checkHostResolves(url, opts.guard);
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
      opts.engine.signalSubmitted(job.id);
      return reply.code(202).send(await answer(clip));
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
      const candidates = await candidatesOf(db, clips.map((c) => c.id));
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
      await clipDelete(db, clip.id);
      storage.removeClip(clip.org_id, clip.id);
      return { success: true as const, data: { id: clip.id, deleted: true as const } };
    },
  );

  app.post(
    '/clips/:clipId/candidates',
    {
      config: { scope: 'clips:write' },
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
