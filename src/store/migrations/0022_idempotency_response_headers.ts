/**
 * An idempotency record keeps the headers that locate what the first answer accepted
 * (`Location`, `Operation-Location`, …) as a small JSON object, so a replay is the first answer
 * again with them. Null for records written before, and for answers that had none.
 *
 * A nullable column with no default: adding it rewrites nothing on either database.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('response_headers', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('response_headers').execute();
}
