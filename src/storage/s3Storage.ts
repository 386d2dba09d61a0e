/**
 * The S3 driver (`s3://<bucket>/<prefix>`): AWS S3 or anything that speaks its protocol
 * (Cloudflare R2, MinIO, Ceph), with endpoint, region and credentials from the standard AWS
 * variables. What every process of a cluster can read, whichever machine wrote it.
 *
 * Guarantees: puts stream through `@aws-sdk/lib-storage` (a multipart upload for large bodies,
 * aborted — nothing left — when the put fails or its signal fires); a resumable upload is one S3
 * multipart upload whose parts are joined by S3 (nothing assembled on local disk); reads are
 * ranged GETs; ffmpeg reads a presigned GET URL by HTTP range requests. Not guaranteed: a
 * presigned URL outlives 7 days (SigV4's limit; config.ts refuses a longer TTL with presigned URLs).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { StorageConfig } from '../config.ts';
import { traceS3Calls } from './s3Spans.ts';
import {
  assertKey,
  assertPrefix,
  type ByteRange,
  type Storage,
  type StorageCheck,
  StorageNotFoundError,
  type StoredObject,
  StorageUnavailableError,
} from './storage.ts';

type S3Config = Extract<StorageConfig, { driver: 's3' }>;

/** S3's smallest part, except the last (EntityTooSmall below it). */
const S3_MIN_PART = 5 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** A failed request in words fit for an operator: the S3 error and its HTTP status, or why it got none. */
function describeFailure(error: unknown): string {
  const status = statusOf(error);
  return status ? `${(error as Error).name} (HTTP ${status})` : (error as Error).message;
}

/**
 * Temporary: no answer at all (refused, reset, timed out) or a server error (500, 503 SlowDown),
 * once the SDK's own retries are spent. A 4xx (a missing key or bucket, denied access) is not.
 */
function isUnavailable(error: unknown): boolean {
  if ((error as Error).name === 'AbortError') return false;
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

export class S3Storage implements Storage {
  readonly driver = 's3' as const;
  readonly minPartBytes = S3_MIN_PART;
  readonly target: string;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    config: S3Config,
    readonly scratchDir: string,
  ) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.target = `s3://${config.bucket}/${config.prefix}`;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.pathStyle,
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
      // Checksums only where S3 requires them: S3-compatible servers (and older MinIO, Ceph)
      // refuse the aws-chunked bodies that default checksums bring to streamed uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // A bucket that does not answer fails /readyz within seconds instead of holding it.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    traceS3Calls(this.client, config.bucket);
    // Outermost, so it sees what is left after the SDK's retries; every request passes here,
    // lib-storage's uploads included.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          throw isUnavailable(error) ? new StorageUnavailableError(this.target, describeFailure(error)) : error;
        }
      },
      { step: 'initialize', name: 'longrunStorageUnavailable' },
    );
  }

  private keyOf(key: string): string {
    assertKey(key);
    return this.prefix + key;
  }

  async put(key: string, body: Readable | Buffer | { file: string }, opts: { signal?: AbortSignal; contentType?: string } = {}): Promise<{ size: number }> {
    const file = !Buffer.isBuffer(body) && !(body instanceof Readable) ? body.file : null;
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.keyOf(key),
        Body: file ? fs.createReadStream(file) : (body as Readable | Buffer),
        ContentType: opts.contentType,
      },
      queueSize: 4,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort().catch(() => {});
    opts.signal?.addEventListener('abort', abort, { once: true });
    try {
      opts.signal?.throwIfAborted();
      await upload.done();
    } finally {
      opts.signal?.removeEventListener('abort', abort);
    }
    if (opts.signal?.aborted) {
      // Aborted after the last part went: the object may exist; a canceled put leaves none.
      await this.delete(key).catch(() => {});
      throw opts.signal.reason;
    }
    if (file) await fs.promises.rm(file, { force: true });
    const size = await this.size(key);
    return { size: size ?? 0 };
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
      return { body: answer.Body as Readable, size: total !== undefined ? Number(total) : Number(answer.ContentLength ?? 0) };
    } catch (error) {
      if (isNotFound(error)) throw new StorageNotFoundError(key);
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return Number(head.ContentLength ?? 0);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    // One DeleteObject per key: DeleteObjects needs a Content-MD5 or checksum that not every
    // S3-compatible server accepts, and a clip or a knowledge base has a handful of objects.
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((key) => this.delete(key)));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async multipartStart(key: string): Promise<string> {
    const answer = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    if (!answer.UploadId) throw new Error('the S3 server returned no UploadId');
    return answer.UploadId;
  }

  async multipartPut(key: string, handle: string, n: number, file: string, size: number): Promise<string> {
    try {
      const answer = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          UploadId: handle,
          PartNumber: n,
          Body: fs.createReadStream(file),
          ContentLength: size,
        }),
      );
      if (!answer.ETag) throw new Error(`the S3 server returned no ETag for part ${n}`);
      return answer.ETag;
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  async multipartComplete(key: string, handle: string, tags: string[]): Promise<void> {
    // The ETags the caller kept from each part's answer (the last sent of each number): ListParts
    // would do too, but not every S3-compatible server has it (s3rver has not).
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.keyOf(key),
        UploadId: handle,
        MultipartUpload: { Parts: tags.map((ETag, i) => ({ PartNumber: i + 1, ETag })) },
      }),
    );
  }

  async multipartAbort(key: string, handle: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.keyOf(key), UploadId: handle }));
    } catch (error) {
      if (!isNotFound(error)) throw error; // already gone: nothing to abort
    }
  }

  async mediaInput(key: string, ttlSeconds: number): Promise<string> {
    // Signing needs no request: a HEAD first, so a bucket that is down is a temporary failure
    // here, not ffmpeg failing to read the URL (which says nothing of why).
    if ((await this.size(key)) === null) throw new StorageNotFoundError(key);
    return (await this.presignedUrl(key, ttlSeconds))!;
  }

  async presignedUrl(key: string, ttlSeconds: number, contentType?: string): Promise<string | null> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), ...(contentType ? { ResponseContentType: contentType } : {}) });
    return getSignedUrl(this.client, command, { expiresIn: Math.min(ttlSeconds, 7 * 86_400) });
  }

  async check(opts: { write?: boolean } = {}): Promise<StorageCheck> {
    try {
      // A listing under the prefix (what a prefix-scoped policy allows) of keys that never stay:
      // an empty answer, never a truncated one (some S3-compatible servers fail those).
      await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}.probe-`, MaxKeys: 1 }));
      if (opts.write) {
        const key = `.probe-${crypto.randomBytes(6).toString('hex')}`;
        await this.put(key, Buffer.from('longrun storage check'));
        try {
          await (await this.get(key)).body.toArray();
        } catch (error) {
          await this.delete(key).catch(() => {}); // no probe left behind; the answer is the first failure
          throw error;
        }
        await this.delete(key);
      }
      return { ok: true, target: this.target };
    } catch (error) {
      const why = error instanceof StorageUnavailableError ? error.why : describeFailure(error);
      return { ok: false, target: this.target, error: `the bucket cannot be reached: ${why}` };
    }
  }
}
