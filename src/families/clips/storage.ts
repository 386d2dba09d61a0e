/**
 * Where clip files live in the storage (src/storage): `<org>/<clip>/source<ext>` for the upload
 * and `<org>/<clip>/renders/<job>.mp4` for outputs — the same paths, relative to the clips
 * directory, that rows have kept since the first version, so old rows still name their files.
 * Deleting a clip deletes everything under its prefix.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PermanentError } from '../../engine/index.ts';
import { type Storage, StorageNotFoundError, StorageUnavailableError } from '../../storage/storage.ts';

export function clipPrefix(orgId: string, clipId: string): string {
  return `${orgId}/${clipId}/`;
}

/** `source` with the original file's extension (lowercased, letters and digits only). */
export function sourceKey(orgId: string, clipId: string, originalName: string): string {
  const ext = path
    .extname(originalName)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '')
    .slice(0, 8);
  return `${clipPrefix(orgId, clipId)}source${ext === '.' ? '' : ext}`;
}

export function renderKey(orgId: string, clipId: string, jobId: string): string {
  return `${clipPrefix(orgId, clipId)}renders/${jobId}.mp4`;
}

export async function clipFilesDelete(storage: Storage, orgId: string, clipId: string): Promise<void> {
  await storage.deletePrefix(clipPrefix(orgId, clipId));
}

/** A fresh path in the storage's scratch directory; its name keeps `label` (ffmpeg's command line shows it). */
export function scratchPath(storage: Storage, label: string): string {
  fs.mkdirSync(storage.scratchDir, { recursive: true });
  return path.join(storage.scratchDir, `${crypto.randomBytes(4).toString('hex')}-${label}`);
}

/** What ffmpeg opens to read a clip's source; a source gone from the storage fails the item for good with `code`. */
export async function sourceInput(storage: Storage, key: string, ttlSeconds: number, code: string): Promise<string> {
  try {
    return await storage.mediaInput(key, ttlSeconds);
  } catch (error) {
    if (error instanceof StorageNotFoundError) throw new PermanentError(code, "The clip's source file is no longer in the storage.");
    throw error;
  }
}

/**
 * ffmpeg or ffprobe lost its read of a source in the storage (`RunResult.readFailure`): an outage
 * of the storage, not a fault of the file, so an item is tried again later and a request answers
 * 503 (not 422 `unreadable_media`).
 */
export function sourceReadError(said: string, tool = 'ffmpeg'): StorageUnavailableError {
  return new StorageUnavailableError('source', said, `${tool} could not read the clip's source from the storage: ${said}`);
}

/**
 * After ffmpeg failed on a source: throws `StorageUnavailableError` when the storage does not
 * answer now, the likelier cause (ffmpeg's exit says nothing of why), so the item is tried again.
 * Any other answer, even an error, leaves the failure as it was.
 */
export async function throwIfStorageDown(storage: Storage, key: string): Promise<void> {
  try {
    await storage.size(key);
  } catch (error) {
    if (error instanceof StorageUnavailableError) throw error;
  }
}
