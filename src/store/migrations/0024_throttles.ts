/**
 * Throttles: at most N items of a kind started per interval, per organisation (src/engine/throttle.ts).
 * `throttle_limits` holds the operator's per-organisation limits (`longrun throttle set`), which
 * win over a kind's default; `throttle_slots` holds, per organisation and kind, the time its
 * next item may start (GCRA's "theoretical arrival time", in milliseconds since the epoch by
 * the database's clock: a double, as the spacing interval/N need not be whole milliseconds).
 * Tables of their own: nothing about the hot `jobs` rows changes, and a kind without a limit
 * never reads them in a claim.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('throttle_limits')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('interval_ms', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('throttle_limits_pk', ['org_id', 'kind'])
    .execute();
  await db.schema
    .createTable('throttle_slots')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('next_slot_ms', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('throttle_slots_pk', ['org_id', 'kind'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('throttle_slots').execute();
  await db.schema.dropTable('throttle_limits').execute();
}
