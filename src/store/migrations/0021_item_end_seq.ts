/**
 * An item records the sequence number of its end event (`job_items.end_seq`), so its
 * `item.succeeded` / `item.failed` event can be derived from its row instead of stored as one
 * (issue 31). Nullable, no default, no backfill: adding it rewrites nothing on either database;
 * items that ended before it have their events stored, and a stored event wins over a derived
 * one at the same number (`eventsAfter`).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('job_items').addColumn('end_seq', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('job_items').dropColumn('end_seq').execute();
}
