/**
 * Fewer index entries written as a job runs (each index a row is in is written when the row
 * changes; on PostgreSQL, every index of the table unless the update is HOT). Measured with
 * `npm run bench -- engine` (a burn-down).
 *
 * - `job_items_open` holds only the items still to do (pending, or running), in the order a
 *   worker takes them (`itemsStartIfAvailable`: a job's first due item by available_at, seq).
 *   An item's end takes it out of the index and writes no new entry, and the index stays the
 *   size of the work in hand, not of every item ever run.
 * - `jobs_org_list` (org_id, id) answered no query: job lists read `jobs_org_created`, which
 *   also serves the deletion of an organisation's jobs; lookups by ID use the primary key.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('job_items_open').execute();
  await sql`create index job_items_open on job_items (job_id, available_at, seq) where status in ('pending', 'running')`.execute(db);
  await db.schema.dropIndex('jobs_org_list').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_org_list').on('jobs').columns(['org_id', 'id']).execute();
  await db.schema.dropIndex('job_items_open').execute();
  await db.schema.createIndex('job_items_open').on('job_items').columns(['job_id', 'status', 'seq']).execute();
}
