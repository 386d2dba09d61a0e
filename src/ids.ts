/**
 * Identifiers. Every public ID is a prefix saying what it names and a ULID, so IDs sort by
 * creation time and a stray ID in a log says what it is.
 */
import { monotonicFactory } from 'ulid';

// Monotonic: IDs made in the same millisecond still sort in the order they were made.
const ulid = monotonicFactory();

export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}

/** The current time as stored and shown everywhere: ISO 8601, UTC, milliseconds. */
export function nowIso(): string {
  return new Date().toISOString();
}
