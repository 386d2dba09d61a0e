/**
 * Identifiers. Every public ID is a prefix saying what it names and a ULID, so IDs sort by
 * creation time and a stray ID in a log says what it is.
 */
import crypto from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Random bytes for ULIDs, drawn from the system's CSPRNG a page at a time: the library's own
 * source asks crypto for one byte per character (16 calls per new millisecond), a sixth of the
 * time of a bulk submission (`npm run bench -- engine`). A byte / 256 is what the
 * library computes from its own byte, so the characters stay uniform (256 / 32).
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomFraction(): number {
  if (poolAt === pool.length) {
    crypto.randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]! / 256;
}

// Monotonic: IDs made in the same millisecond still sort in the order they were made.
const ulid = monotonicFactory(randomFraction);

export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}

/** The current time as stored and shown everywhere: ISO 8601, UTC, milliseconds. */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * A UUID version 7 (RFC 9562): time-ordered like a ULID, in the UUID shape the sourcing family's
 * IDs use (`req_<uuid>`, `enr_<uuid>`, `prof_<uuid>`). Monotonic within this process: IDs made in
 * the same millisecond count up in their 12-bit `rand_a` field (RFC 9562 method 1), so they still
 * sort in the order they were made.
 */
let lastMs = 0;
let sequence = 0;
export function uuidv7(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    sequence = crypto.randomInt(0, 0x800); // leave room to count up within the millisecond
  } else {
    ms = lastMs;
    sequence += 1;
    if (sequence > 0xfff) {
      ms += 1; // borrow the next millisecond rather than repeat or go backwards
      sequence = 0;
    }
  }
  lastMs = ms;
  const bytes = crypto.randomBytes(16);
  const time = BigInt(ms);
  for (let i = 0; i < 6; i++) bytes[i] = Number((time >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
