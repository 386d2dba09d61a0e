/**
 * Resumable uploads for large files: `POST /clips/uploads` announces the file (name, size, part
 * size) → `PUT /clips/uploads/{uploadId}/parts/{n}` sends each part with its SHA-256 →
 * `GET /clips/uploads/{uploadId}` says which parts arrived (to resume) → `POST …/complete`
 * joins them into a clip; `DELETE /clips/uploads/{uploadId}` abandons it, parts and all.
 *
 * Guarantees: a part is kept only if its size is the expected one and its SHA-256 matches the
 * `x-content-sha256` header (else 422, and the part is not kept): it streams to a scratch file
 * (one part at most), is checked, and only then goes to the storage as part n of the upload's
 * multipart upload (S3: an UploadPart; nothing is ever assembled on local disk); a part can be
 * sent again (the last one wins); completing joins the parts in the storage (S3 joins them
 * itself); an upload not completed within LONGRUN_UPLOAD_TTL_HOURS expires and its parts are
 * deleted (`uploadsDeleteExpired`, run hourly). The clip's id and key are fixed at the start,
 * since an S3 multipart upload names its object from its first request.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import { AppError } from '../../errors.ts';
import { newId, nowIso } from '../../ids.ts';
import { acceptContentTypes } from '../../http/contentTypeGate.ts';
import { HashingTap } from '../../http/hashingTap.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { ContentOk } from '../../http/schemas.ts';
import type { Db } from '../../store/database.ts';
import type { ClipUploadsTable } from '../../store/schema.ts';
import { adoptClipFile, clipCreatedRecord, type AdoptDeps } from './adopt.ts';
import { candidatesOf } from './sql/clips.ts';
import type { Storage } from '../../storage/storage.ts';
import { scratchPath, sourceKey } from './storage.ts';
import { ClipDeleted, ClipView, PART_SIZE, StartUploadBody, UploadView } from './schemas.ts';
import { clipView } from './view.ts';

type UploadRow = Selectable<ClipUploadsTable>;

function partCount(row: UploadRow): number {
  return Math.ceil(Number(row.size) / row.part_size);
}

function expectedPartSize(row: UploadRow, n: number): number {
  return n < partCount(row) ? row.part_size : Number(row.size) - row.part_size * (partCount(row) - 1);
}

function uploadView(row: UploadRow) {
  const received = Object.keys(JSON.parse(row.parts) as Record<string, string>)
    .map(Number)
    .sort((a, b) => a - b);
  return { uploadId: row.id, name: row.name, size: Number(row.size), partSize: row.part_size, parts: partCount(row), received, expiresAt: row.expires_at };
}

/**
 * Where the upload goes and the storage's handle for it. Rows from before migration 0020 have
 * neither: they were file-driver uploads, whose handle was the upload's id, and they get their
 * clip id at completion as they used to.
 */
function destinationOf(row: UploadRow): { key: string; handle: string } {
  return { key: row.storage_key ?? sourceKey(row.org_id, newId('clip'), row.file_name), handle: row.storage_upload_id ?? row.id };
}

/** The clip id inside a source key (`<org>/<clip>/source.mp4`). */
function clipIdOf(key: string): string {
  return key.split('/')[1]!;
}

/**
 * Deletes expired uploads and their parts (S3: aborts the multipart upload); returns how many.
 * An upload the storage fails to abort keeps its row for the next round, which is the only
 * record of its handle, and does not hold up the others; the round then fails, to be logged.
 */
export async function uploadsDeleteExpired(db: Db, storage: Storage, now: string): Promise<number> {
  const expired = await db.selectFrom('clip_uploads').selectAll().where('expires_at', '<', now).execute();
  let deleted = 0;
  let failure: unknown = null;
  for (const row of expired) {
    const { key, handle } = destinationOf(row);
    try {
      await storage.multipartAbort(key, handle);
    } catch (error) {
      failure ??= error;
      continue;
    }
    await db.deleteFrom('clip_uploads').where('id', '=', row.id).execute();
    deleted += 1;
  }
  if (failure) throw new Error(`${expired.length - deleted} expired upload(s) could not be aborted: ${(failure as Error).message}`, { cause: failure });
  return deleted;
}

export async function uploadRoutes(instance: FastifyInstance, opts: AdoptDeps & { maxUploadBytes: number; ttlHours: number }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, storage } = opts;
  // Parts arrive as raw bytes and are streamed, not parsed.
  app.addContentTypeParser('application/octet-stream', { bodyLimit: PART_SIZE.max }, (_request, payload, done) => done(null, payload));

  async function uploadOf(orgId: string, id: string): Promise<UploadRow> {
    const row = await db.selectFrom('clip_uploads').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!row || row.expires_at < nowIso()) throw new AppError('not_found', `No upload ${id} (an upload expires ${opts.ttlHours} h after it starts).`);
    return row;
  }

  app.post(
    '/clips/uploads',
    {
      config: { scope: 'clips:write', idempotent: true },
      schema: {
        tags: ['clips'],
        summary: 'Start a resumable upload',
        body: StartUploadBody,
        response: { 201: ContentOk(UploadView) },
      },
    },
    async (request, reply) => {
      if (request.body.size > opts.maxUploadBytes)
        throw new AppError('payload_too_large', `The file is larger than the limit of ${opts.maxUploadBytes} bytes.`);
      const partSize = request.body.partSize ?? PART_SIZE.default;
      if (partSize < storage.minPartBytes && request.body.size > partSize)
        throw new AppError(
          'validation_error',
          `body.partSize must be at least ${storage.minPartBytes} bytes with ${storage.driver} storage (its smallest multipart part).`,
        );
      const now = new Date();
      const id = newId('upl');
      const orgId = orgOf(request);
      const key = sourceKey(orgId, newId('clip'), request.body.fileName);
      const row: UploadRow = {
        id,
        org_id: orgId,
        name: request.body.name?.trim() || request.body.fileName,
        file_name: request.body.fileName,
        size: request.body.size,
        part_size: partSize,
        parts: '{}',
        storage_key: key,
        storage_upload_id: await storage.multipartStart(key, id),
        part_tags: '{}',
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + opts.ttlHours * 3_600_000).toISOString(),
      };
      await db.insertInto('clip_uploads').values(row).execute();
      return reply.code(201).send({ success: true as const, data: uploadView(row) });
    },
  );

  app.get(
    '/clips/uploads/:uploadId',
    {
      config: { scope: 'clips:read' },
      schema: {
        tags: ['clips'],
        summary: 'Which parts of a resumable upload have arrived',
        params: Type.Object({ uploadId: Type.String({ maxLength: 100 }) }),
        response: { 200: ContentOk(UploadView) },
      },
    },
    async (request) => ({ success: true as const, data: uploadView(await uploadOf(orgOf(request), request.params.uploadId)) }),
  );

  app.delete(
    '/clips/uploads/:uploadId',
    {
      config: { scope: 'clips:write' },
      schema: {
        tags: ['clips'],
        summary: 'Abandon a resumable upload: its parts are deleted (S3: the multipart upload is aborted)',
        params: Type.Object({ uploadId: Type.String({ maxLength: 100 }) }),
        response: { 200: ContentOk(ClipDeleted) },
      },
    },
    async (request) => {
      const upload = await uploadOf(orgOf(request), request.params.uploadId);
      const { key, handle } = destinationOf(upload);
      // The parts first: if the storage fails, the upload stays, to be abandoned again (or to expire).
      await storage.multipartAbort(key, handle);
      await db.deleteFrom('clip_uploads').where('id', '=', upload.id).execute();
      return { success: true as const, data: { id: upload.id, deleted: true as const } };
    },
  );

  app.put(
    '/clips/uploads/:uploadId/parts/:n',
    {
      config: { scope: 'clips:write' },
      onRequest: acceptContentTypes(['application/octet-stream']),
      bodyLimit: PART_SIZE.max,
      schema: {
        tags: ['clips'],
        summary: 'Send one part (application/octet-stream) with its SHA-256 in x-content-sha256',
        params: Type.Object({ uploadId: Type.String({ maxLength: 100 }), n: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
        headers: Type.Object({ 'x-content-sha256': Type.String({ maxLength: 64, pattern: '^[0-9a-fA-F]{64}$' }) }),
        response: { 200: ContentOk(UploadView) },
      },
    },
    async (request) => {
      const upload = await uploadOf(orgOf(request), request.params.uploadId);
      const n = request.params.n;
      if (n > partCount(upload)) throw new AppError('validation_error', `Part ${n} is past the last part (${partCount(upload)}).`);
      const body = request.body as NodeJS.ReadableStream | undefined;
      if (!body || typeof body.pipe !== 'function') throw new AppError('unsupported_media_type', 'Send the part as application/octet-stream.');
      const tmp = scratchPath(storage, `${upload.id}-${n}.part`);
      const expected = expectedPartSize(upload, n);
      // Nothing past the part's own size is written: Fastify's bodyLimit does not bound a stream.
      const tap = new HashingTap(expected);
      try {
        await pipeline(body, tap, fs.createWriteStream(tmp));
      } catch (error) {
        fs.rmSync(tmp, { force: true });
        throw error;
      }
      const bytes = tap.bytes;
      const digest = tap.sha256();
      const problem =
        bytes !== expected
          ? `Part ${n} has ${bytes} bytes; it should have ${expected}.`
          : digest !== request.headers['x-content-sha256'].toLowerCase()
            ? `Part ${n} does not match its x-content-sha256 (it hashes to ${digest}).`
            : null;
      if (problem) {
        fs.rmSync(tmp, { force: true });
        throw new AppError('validation_error', `${problem} It was not kept; send it again.`);
      }
      const { key, handle } = destinationOf(upload);
      let tag: string;
      try {
        tag = await storage.multipartPut(key, handle, n, tmp, bytes);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      const row = await db.transaction().execute(async (trx) => {
        const current = await trx.selectFrom('clip_uploads').selectAll().where('id', '=', upload.id).executeTakeFirstOrThrow();
        const parts = { ...(JSON.parse(current.parts) as Record<string, string>), [n]: digest };
        const tags = { ...(JSON.parse(current.part_tags ?? '{}') as Record<string, string>), [n]: tag };
        return trx
          .updateTable('clip_uploads')
          .set({ parts: JSON.stringify(parts), part_tags: JSON.stringify(tags) })
          .where('id', '=', upload.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return { success: true as const, data: uploadView(row) };
    },
  );

  app.post(
    '/clips/uploads/:uploadId/complete',
    {
      config: { scope: 'clips:write', idempotent: true },
      schema: {
        tags: ['clips'],
        summary: 'Join the parts into a clip (409 while parts are missing)',
        params: Type.Object({ uploadId: Type.String({ maxLength: 100 }) }),
        response: { 201: ContentOk(Type.Ref(ClipView)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const upload = await uploadOf(orgId, request.params.uploadId);
      const received = uploadView(upload).received;
      const missing = Array.from({ length: partCount(upload) }, (_, i) => i + 1).filter((n) => !received.includes(n));
      if (missing.length > 0) throw new AppError('conflict', `Parts ${missing.slice(0, 20).join(', ')} have not arrived.`);
      const { key, handle } = destinationOf(upload);
      // Pre-0020 rows kept no tags: the file driver needs none (it joins `<n>.part` in order).
      const tags = JSON.parse(upload.part_tags ?? '{}') as Record<string, string>;
      await storage.multipartComplete(
        key,
        handle,
        Array.from({ length: partCount(upload) }, (_, i) => tags[i + 1] ?? String(i + 1)),
      );
      await db.deleteFrom('clip_uploads').where('id', '=', upload.id).execute();
      const clip = await adoptClipFile(opts, orgId, clipIdOf(key), upload.name, key, clipCreatedRecord(request));
      return reply.code(201).send({ success: true as const, data: clipView(clip, await candidatesOf(db, [clip.id])) });
    },
  );
}
