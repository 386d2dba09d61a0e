/**
 * The time on PostgreSQL: the database's own clock (the transaction's `now()`), so processes on
 * machines whose clocks disagree agree on when a lease runs out and when a job is due. To the
 * millisecond, as the times the code writes (JavaScript's), so a time read back and written
 * again is the same time.
 */
import { sql, type RawBuilder } from 'kysely';

export function now(): RawBuilder<string> {
  return sql<string>`date_trunc('milliseconds', now())`;
}

export function nowPlus(ms: number): RawBuilder<string> {
  return sql<string>`(date_trunc('milliseconds', now()) + ${ms}::float8 * interval '1 millisecond')`;
}
