/**
 * One interface for the files longrun keeps: clip sources, resumable upload parts, renders and
 * knowledge-base documents. Keys are relative, `/`-separated paths (`<org>/<clip>/source.mp4`);
 * a driver maps them to a directory (`file:`) or to a bucket and prefix (`s3://`).
 *
 * Guarantees every driver keeps: an object appears under its key only once it is complete (a
 * failed or aborted put leaves nothing); `get` of a missing key throws `StorageNotFoundError`;
 * `delete` and `deletePrefix` of what is not there succeed; a multipart upload's parts are
 * joined only by `multipartComplete`, and `multipartAbort` leaves nothing behind. Not
 * guaranteed: listing order, or that a presigned URL exists (only drivers that can sign have one).
 */
import type { Readable } from 'node:stream';
import { RetryableError } from '../engine/index.ts';

export class StorageNotFoundError extends Error {
  override name = 'StorageNotFoundError';
  constructor(readonly key: string) {
    super(`No stored object ${key}.`);
  }
}

/**
 * The storage did not answer, or answered with a server error, after the driver's own retries:
 * temporary. A job's item is tried again after `retryAfterMs` (a short outage of the bucket does
 * not fail a render for good); a request answers 503.
 */
export class StorageUnavailableError extends RetryableError {
  override name = 'StorageUnavailableError';
  constructor(
    target: string,
    /** What the request met, without credentials (`connect ECONNREFUSED …`, `InternalError (HTTP 500)`). */
    readonly why: string,
    message = `The storage ${target} cannot be reached: ${why}`,
  ) {
    super('STORAGE_UNAVAILABLE', message, 10_000);
  }
}

/** A byte range, both ends inclusive, as HTTP Range gives it. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObject {
  body: Readable;
  /** Size of the whole object, not of the range. */
  size: number;
}

export interface StorageCheck {
  ok: boolean;
  /** What was checked, without credentials (`file:/var/lib/longrun/clips`, `s3://bucket/prefix`). */
  target: string;
  /** Why it failed, in words fit for an operator. */
  error?: string;
}

export interface Storage {
  readonly driver: 'file' | 's3';
  /** Where objects live, without credentials, for logs, /readyz and `longrun storage check`. */
  readonly target: string;
  /** Smallest part a multipart upload accepts, except its last (S3: 5 MiB). */
  readonly minPartBytes: number;
  /**
   * A local directory for files on their way into this storage (an upload being received, a
   * render being written). For the file driver it is inside the root, so putting one is a rename.
   */
  readonly scratchDir: string;
  /**
   * Streams `body` to `key`; returns its size. `{ file }` is consumed: the file is moved (file
   * driver) or uploaded and then deleted, so the caller never cleans up after a success.
   */
  put(key: string, body: Readable | Buffer | { file: string }, opts?: { signal?: AbortSignal; contentType?: string }): Promise<{ size: number }>;
  /** The object (or one range of it) as a stream, with the whole object's size. */
  get(key: string, range?: ByteRange): Promise<StoredObject>;
  /** The object's size, or null when there is none. */
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  /** Deletes every object under the folder `prefix` (a key's leading segments with a trailing `/`; never all). */
  deletePrefix(prefix: string): Promise<void>;
  /** Keys under `prefix`, for tests and checks. */
  list(prefix: string): Promise<string[]>;
  /**
   * Starts a multipart upload to `key`; returns the driver's handle for it. `id` is the caller's
   * unique name for the upload: a driver that keeps the parts itself (file) uses it as the handle.
   */
  multipartStart(key: string, id: string): Promise<string>;
  /**
   * Stores part `n` (1-based) from a file of `size` bytes (the file is consumed); sending a part
   * again replaces it. Returns the part's tag (S3: its ETag), which completion needs.
   */
  multipartPut(key: string, handle: string, n: number, file: string, size: number): Promise<string>;
  /** Joins the parts, given as their tags in order (part 1 first), into the object at `key`. */
  multipartComplete(key: string, handle: string, tags: string[]): Promise<void>;
  multipartAbort(key: string, handle: string): Promise<void>;
  /**
   * What ffmpeg and ffprobe open to read `key`: a local path (file driver) or a presigned URL
   * valid for `ttlSeconds` (S3, read by HTTP range requests: nothing is copied to local disk).
   */
  mediaInput(key: string, ttlSeconds: number): Promise<string>;
  /** A presigned GET URL valid for `ttlSeconds`, or null when the driver cannot sign one. */
  presignedUrl(key: string, ttlSeconds: number, contentType?: string): Promise<string | null>;
  /** Readiness: lists the storage (and, with `write`, writes, reads and deletes a probe object). */
  check(opts?: { write?: boolean }): Promise<StorageCheck>;
}

/** Refuses keys that could climb out of the storage root or that a bucket would mangle. */
export function assertKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..') || key.includes('\\')) {
    throw new Error(`invalid storage key "${key}"`);
  }
}

/** Refuses a folder prefix that is not one: `''` (everything) or one without its trailing `/`. */
export function assertPrefix(prefix: string): void {
  if (!prefix.endsWith('/')) throw new Error(`invalid storage prefix "${prefix}" (a folder, ending in /)`);
  assertKey(prefix.slice(0, -1));
}
