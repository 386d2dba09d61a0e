/**
 * A job's row is written three times as it runs (claimed, its item counted, ended): these make
 * the writes cheaper. Measured with `npm run bench -- engine` (a burn-down) and EXPLAIN ANALYZE.
 *
 * PostgreSQL: jobs pages are filled to 70 %, so an update that changes no indexed column (the
 * count of an item: items_*, credits_charged, last_event_seq, updated_at) finds room for the new
 * row version on its page and skips every index (a HOT update: 64 counts cost a quarter as
 * much). It applies to pages written from now on.
 *
 * Three indexes on jobs hold only the rows their queries can ask for, so claiming and ending a
 * job touches fewer of them (each index a job's row is in is written when the row changes):
 * - `jobs_available_at`: unfinished jobs only (a finished job's available_at is null). Its
 *   queries (the next due job, the benchmarks' poll) all ask for a time; at scale the finished
 *   jobs, nearly all of them, are left out.
 * - `jobs_finished`: finished jobs only (the retention purge asks for completed_at < a time).
 * - `jobs_running_queue`: running jobs of serial queues only (the claim asks for a queue's
 *   running job); most jobs have no queue.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`alter table jobs set (fillfactor = 70)`.execute(db);
  await db.schema.dropIndex('jobs_available_at').execute();
  await sql`create index jobs_available_at on jobs (available_at) where available_at is not null`.execute(db);
  await db.schema.dropIndex('jobs_finished').execute();
  await sql`create index jobs_finished on jobs (completed_at) where completed_at is not null`.execute(db);
  await db.schema.dropIndex('jobs_running_queue').execute();
  await sql`create index jobs_running_queue on jobs (queue) where status = 'running' and queue is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`alter table jobs reset (fillfactor)`.execute(db);
  await db.schema.dropIndex('jobs_available_at').execute();
  await db.schema.createIndex('jobs_available_at').on('jobs').column('available_at').execute();
  await db.schema.dropIndex('jobs_finished').execute();
  await db.schema.createIndex('jobs_finished').on('jobs').column('completed_at').execute();
  await db.schema.dropIndex('jobs_running_queue').execute();
  await db.schema.createIndex('jobs_running_queue').on('jobs').column('queue').where(sql.ref('status'), '=', 'running').execute();
}
