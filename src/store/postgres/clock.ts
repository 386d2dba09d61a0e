/**
 * The time on PostgreSQL: the database's own clock (the transaction's `now()`), so processes on
 * machines whose clocks disagree agree on when a lease runs out and when a job is due. Written
 * as the columns hold it: ISO 8601 in UTC with milliseconds, as JavaScript's `toISOString`.
 */
import { sql, type RawBuilder } from 'kysely';

const ISO_8601 = sql.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

export function now(): RawBuilder<string> {
  return sql<string>`to_char(now() at time zone 'UTC', ${ISO_8601})`;
}

export function nowPlus(ms: number): RawBuilder<string> {
  return sql<string>`to_char((now() + ${ms}::float8 * interval '1 millisecond') at time zone 'UTC', ${ISO_8601})`;
}
