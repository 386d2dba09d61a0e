/**
 * A clip's source file: `GET /clips/{clipId}/source` (Range answered with 206, so a player can
 * seek), opened with the organisation's key or a signed, expiring URL from
 * `GET /clips/{clipId}/source-url` — a `<video>` element cannot send the key, and a signed URL
 * gives the file only, only until it expires. With `LONGRUN_STORAGE_PUBLIC_URLS=presigned` the
 * URL is a presigned S3 GET with the same expiry instead, and players read the bucket directly.
 */
import path from 'node:path';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { ContentOk, UnixSeconds } from '../../http/schemas.ts';
import type { Db } from '../../store/database.ts';
import type { Storage } from '../../storage/storage.ts';
import { baseUrl } from '../../http/baseUrl.ts';
import { sendStored } from './fileResponse.ts';
import { signatureValid, signingKey, signPath } from './signedUrls.ts';
import { clipGet } from './sql/clips.ts';
import { SourceUrl } from './schemas.ts';

const MIME: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.ts': 'video/mp2t',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
};

function mimeOf(key: string): string {
  return MIME[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
}

const Params = Type.Object({ clipId: Type.String({ maxLength: 100 }) });

export async function sourceRoutes(instance: FastifyInstance, opts: { db: Db; storage: Storage; urlTtlSeconds: number; presigned: boolean }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, storage } = opts;
  const key = await signingKey(db);
  const sourcePath = (clipId: string) => `/clips/${clipId}/source`;

  app.get(
    '/clips/:clipId/source-url',
    {
      config: { scope: 'clips:read' },
      schema: {
        tags: ['clips'],
        summary: "A signed URL of the clip's source file, for a player",
        description: 'Valid for LONGRUN_RENDER_URL_TTL_SECONDS. 404 until the upload or import has stored the file.',
        params: Params,
        response: { 200: ContentOk(SourceUrl) },
      },
    },
    async (request) => {
      const clip = await clipGet(db, request.params.clipId);
      if (!clip || clip.org_id !== orgOf(request) || !clip.source_path) throw new AppError('not_found', `No source file for clip ${request.params.clipId}.`);
      const expires = Math.floor(Date.now() / 1000) + opts.urlTtlSeconds;
      const url = opts.presigned
        ? await storage.presignedUrl(clip.source_path, opts.urlTtlSeconds, mimeOf(clip.source_path))
        : `${baseUrl(request)}${signPath(key, sourcePath(clip.id), expires)}`;
      return { success: true as const, data: { url: url!, expiresAt: new Date(expires * 1000).toISOString() } };
    },
  );

  app.get(
    '/clips/:clipId/source',
    {
      config: { scope: 'clips:read', signedUrl: true },
      schema: {
        tags: ['clips'],
        summary: "The clip's source file (Range requests answered with 206)",
        description: 'Open with an organisation key allowed `clips:read`, or with the `expires` and `signature` of a source URL.',
        params: Params,
        querystring: Type.Object({ expires: Type.Optional(UnixSeconds), signature: Type.Optional(Type.String({ maxLength: 128 })) }),
      },
    },
    async (request, reply) => {
      const clip = await clipGet(db, request.params.clipId);
      const { signature, expires } = request.query;
      if (signature !== undefined) {
        if (!signatureValid(key, sourcePath(request.params.clipId), expires ?? 0, signature))
          throw new AppError('forbidden', 'The signed URL is invalid or has expired.');
      } else if (!clip || clip.org_id !== orgOf(request)) {
        throw new AppError('not_found', `No clip ${request.params.clipId}.`);
      }
      if (!clip?.source_path) throw new AppError('not_found', `No source file for clip ${request.params.clipId}.`);
      return sendStored(request, reply, storage, clip.source_path, mimeOf(clip.source_path), `No source file for clip ${request.params.clipId}.`);
    },
  );
}
