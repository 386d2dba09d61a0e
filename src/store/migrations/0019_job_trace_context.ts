/**
 * A job keeps the trace context of its submission (`jobs.trace_context`: the W3C `traceparent`
 * and `tracestate` as a small JSON object), so the worker that runs it — in another process, on
 * another machine — continues the submitter's trace. Null when tracing was off at submission.
 *
 * A nullable column with no default: adding it rewrites nothing on either database (SQLite and
 * PostgreSQL only record the column), so it is safe on a large `jobs` table. `jsonb` on
 * PostgreSQL, as the other JSON columns whose key order nobody sees (0017).
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('trace_context', dialectOf(db) === 'postgres' ? 'jsonb' : 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('trace_context').execute();
}
