/**
 * `job_reruns`: a job that reruns another's failed and canceled items names it here, so reads
 * can show the rerun with the results it did not redo (an enrichment run's `data` has every
 * profile). A table of its own, not a `jobs` column: nothing about the hot `jobs` rows changes.
 * Rows go with their job (retention deletes jobs; ON DELETE CASCADE on the rerun's side, and a
 * rerun whose original is gone reads as a job of its own).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('job_reruns')
    .addColumn('job_id', 'text', (c) => c.primaryKey().references('jobs.id').onDelete('cascade'))
    .addColumn('rerun_of', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_reruns_rerun_of').on('job_reruns').column('rerun_of').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_reruns').execute();
}
