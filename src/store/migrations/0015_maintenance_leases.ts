/**
 * One row per maintenance task (src/maintenance/): when its next round is due and which process
 * holds a round under way. The row, not a lock, because the runner promises a round once per
 * period across the cluster and across restarts, which needs a memory of the last round; and
 * a row works the same for several processes on one SQLite file as on PostgreSQL.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('maintenance_leases')
    .addColumn('task', 'text', (c) => c.primaryKey())
    // The next round may start at or after this time.
    .addColumn('due_at', 'text', (c) => c.notNull())
    // Set while a round runs (renewed as it goes); a crashed holder's hold runs out.
    .addColumn('held_until', 'text')
    // host:pid:nonce of the process that took the last round, for operators.
    .addColumn('holder', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('maintenance_leases').execute();
}
