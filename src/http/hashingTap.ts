/**
 * A pass-through for uploads on their way to disk: hashes (SHA-256) and counts what comes, and
 * passes on no byte past `maxBytes` — the rest is read into nothing, so an oversized body never
 * lands on disk and the client, still sending, gets to read the answer. `overflowed` says so.
 */
import crypto from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class HashingTap extends Transform {
  /** Bytes that came, including any past the limit. */
  bytes = 0;
  private readonly hash = crypto.createHash('sha256');

  constructor(private readonly maxBytes = Infinity) {
    super();
  }

  get overflowed(): boolean {
    return this.bytes > this.maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.overflowed) return done();
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** The SHA-256 of what was passed on, in hex; once. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
