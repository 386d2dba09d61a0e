/**
 * A clip uploaded in parts through the resumable upload API (`/clips/uploads`), with a progress
 * bar. The upload's ID is kept in this browser (localStorage, by file name, size and date), so
 * after a failure or a reload, choosing the same file again sends only the parts the server has
 * not got — the server says which (`received`) and checks each part's SHA-256.
 */
import { client, LongrunError } from '../api.ts';
import type { Clip, Upload } from 'longrun/client';

/** Parts of at least 64 KiB (the server's minimum) and at most 8 MiB, about 50 to a file. */
const MIN_PART = 64 * 1024;
const MAX_PART = 8 * 1024 * 1024;

const storageKey = (file: File) => `longrun.upload.${file.name}:${file.size}:${file.lastModified}`;

function partSizeFor(size: number): number {
  return Math.min(MAX_PART, Math.max(MIN_PART, Math.ceil(size / 50 / 1024) * 1024));
}

/** The upload this browser started for `file` and the server still has, or a new one. */
async function uploadFor(file: File, name: string, signal: AbortSignal): Promise<Upload> {
  const saved = localStorage.getItem(storageKey(file));
  if (saved) {
    try {
      const upload = await client().clips.uploads.status(saved, { signal });
      if (upload.size === file.size) return upload;
    } catch (error) {
      // Expired or completed: start again below.
      if (!(error instanceof LongrunError) || error.status !== 404) throw error;
    }
  }
  const upload = await client().clips.uploads.start({ fileName: file.name, size: file.size, name, partSize: partSizeFor(file.size) }, { signal });
  localStorage.setItem(storageKey(file), upload.uploadId);
  return upload;
}

/** Uploads `file` (or what is missing of it), reporting bytes the server holds; the clip once complete. */
export async function uploadResumably(
  file: File,
  name: string,
  onProgress: (done: number, total: number, resumed: boolean) => void,
  signal: AbortSignal,
): Promise<Clip> {
  const upload = await uploadFor(file, name, signal);
  const have = new Set(upload.received);
  const partBytes = (n: number) => Math.min(upload.partSize, file.size - (n - 1) * upload.partSize);
  let done = [...have].reduce((sum, n) => sum + partBytes(n), 0);
  const resumed = have.size > 0;
  onProgress(done, file.size, resumed);
  for (let n = 1; n <= upload.parts; n++) {
    if (have.has(n)) continue;
    const start = (n - 1) * upload.partSize;
    await client().clips.uploads.putPart(upload.uploadId, n, file.slice(start, start + upload.partSize), { signal });
    done += partBytes(n);
    onProgress(done, file.size, resumed);
  }
  const clip = await client().clips.uploads.complete(upload.uploadId, { signal });
  localStorage.removeItem(storageKey(file));
  return clip;
}
