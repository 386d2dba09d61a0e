/**
 * Time cut into equal buckets for charts (`GET /stats/jobs`, `GET /credits/history`): the
 * buckets' starts, aligned to multiples of their length since the epoch, the last being the one
 * now falls in; and the SQL that puts a row's time in its bucket by comparing it with their
 * starts, which reads alike on both databases (times are ISO text on SQLite, timestamptz on
 * PostgreSQL), unlike date arithmetic.
 */
import { sql, type RawBuilder } from 'kysely';

export interface TimeBuckets {
  /** Each bucket's start, oldest first (ISO 8601, UTC). */
  starts: string[];
  /** The end of the last bucket, after now. */
  end: string;
}

export function timeBuckets(count: number, bucketSeconds: number, nowMs: number): TimeBuckets {
  const size = bucketSeconds * 1000;
  const last = Math.floor(nowMs / size) * size;
  const starts = Array.from({ length: count }, (_, i) => new Date(last - (count - 1 - i) * size).toISOString());
  return { starts, end: new Date(last + size).toISOString() };
}

/** The bucket `column` falls in: 0 for the first, starts.length - 1 for the last (rows are bounded by the caller). */
export function bucketOf(column: string, starts: string[]): RawBuilder<number> {
  const ref = sql.ref(column);
  const branches = starts.slice(1).map((start, i) => sql`when ${ref} < ${start} then ${i}`);
  return sql<number>`case ${sql.join(branches, sql` `)} else ${starts.length - 1} end`;
}
