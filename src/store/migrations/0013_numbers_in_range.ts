/**
 * Numbers taken from request bodies back within their schema's range. Before JSON bodies were
 * validated without coercion (server/validation.ts), the string "Infinity" passed integer
 * validation, past `maximum`, and SQLite stored it as a REAL infinity: every later read of the
 * organisation's jobs or agents then failed to serialize (500). PostgreSQL's integer columns
 * refused such values, so there this finds nothing. Each value out of range is set to the
 * nearest bound (∞ → the maximum), the value the request's own bound would have allowed.
 */
import { sql, type Kysely } from 'kysely';

/** Each column fed from a request body, with its schema's bounds. */
export const NUMBER_RANGES = [
  { table: 'jobs', column: 'priority', min: -100, max: 100 }, // kinds/sleep/routes.ts
  { table: 'agents', column: 'posts_per_run', min: 1, max: 50 }, // agents/view.ts
  { table: 'clip_candidates', column: 'start_ms', min: 0, max: 2_147_483_647 }, // clips/routes.ts
  { table: 'clip_candidates', column: 'end_ms', min: 1, max: 2_147_483_647 },
  { table: 'clip_uploads', column: 'size', min: 1, max: Number.MAX_SAFE_INTEGER }, // clips/uploadRoutes.ts
  { table: 'clip_uploads', column: 'part_size', min: 64 * 1024, max: 100 * 1024 * 1024 },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, column, min, max } of NUMBER_RANGES) {
    const value = sql.ref(column);
    await sql`
      update ${sql.table(table)}
      set ${value} = case when ${value} > ${sql.lit(max)} then ${sql.lit(max)} else ${sql.lit(min)} end
      where ${value} > ${sql.lit(max)} or ${value} < ${sql.lit(min)}`.execute(db);
  }
}

/** Nothing to undo: the values repaired were unreadable. */
export async function down(): Promise<void> {}
