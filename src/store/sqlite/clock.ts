/**
 * The time on SQLite: this process's clock. Every process using a SQLite file runs on the
 * machine that holds it, so their clocks are one clock, the database's.
 */
import { sql, type RawBuilder } from 'kysely';

export function now(): RawBuilder<string> {
  return sql<string>`${new Date().toISOString()}`;
}

export function nowPlus(ms: number): RawBuilder<string> {
  return sql<string>`${new Date(Date.now() + ms).toISOString()}`;
}
