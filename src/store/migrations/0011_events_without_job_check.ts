/**
 * PostgreSQL: job_events no longer has a foreign key to jobs. Its check is a trigger per row,
 * and it was half the cost of writing events (three per job: started, the item's, the end),
 * the engine's costliest statement in a burn-down (`npm run bench -- engine`). Nothing is lost:
 * the engine writes a job's events only while it holds the job's row (locked by the update
 * that took the event's number), and the one deletion of jobs, the retention purge
 * (`jobsDeleteFinishedBefore`), deletes their events itself. SQLite keeps the key: there the
 * check is one primary-key lookup, below what a benchmark can see.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  const keys = await sql<{ name: string }>`
    select conname as name from pg_constraint
    where conrelid = 'job_events'::regclass and confrelid = 'jobs'::regclass and contype = 'f'`.execute(db);
  for (const { name } of keys.rows) await sql`alter table job_events drop constraint ${sql.id(name)}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`delete from job_events where not exists (select 1 from jobs where jobs.id = job_events.job_id)`.execute(db);
  await sql`alter table job_events add foreign key (job_id) references jobs (id) on delete cascade`.execute(db);
}
