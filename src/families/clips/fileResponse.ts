/**
 * Sending a stored media file from the storage (file or S3, whichever process wrote it): the
 * whole object, or one byte range (206) so players can seek, read from the storage as a range;
 * a range outside the file is a 416 with `Content-Range: bytes *\/size`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { type Storage, StorageNotFoundError } from '../../storage/storage.ts';

/** Parses `Range: bytes=…` for a file of `size` bytes: one range, or null for the whole file; throws 416. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null; // not a single byte range: send it all
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start > end || start >= size) throw new AppError('bad_request', `Range ${header} is outside the file (${size} bytes).`, 416);
  return { start, end };
}

export async function sendStored(
  request: FastifyRequest,
  reply: FastifyReply,
  storage: Storage,
  key: string,
  mime: string,
  missing: string,
): Promise<FastifyReply> {
  const size = await storage.size(key);
  if (size === null) throw new AppError('not_found', missing);
  let range;
  try {
    range = byteRange(request.headers.range, size);
  } catch (error) {
    reply.header('content-range', `bytes */${size}`);
    throw error;
  }
  // Deleted between the size and the read (a clip deleted meanwhile): still a 404.
  const object = await storage.get(key, range ?? undefined).catch((error: unknown) => {
    throw error instanceof StorageNotFoundError ? new AppError('not_found', missing) : error;
  });
  reply.header('accept-ranges', 'bytes').type(mime);
  if (!range) return reply.header('content-length', size).send(object.body);
  return reply
    .code(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
    .header('content-length', range.end - range.start + 1)
    .send(object.body);
}
