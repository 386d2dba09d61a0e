/**
 * Items may end `canceled`: the unfinished items of a job that ends without them (canceled, or
 * failed outside its items) are no longer left `pending` or `running` forever (see
 * engine/sql/itemsCancelOpen.ts). The status CHECK of 0002 gains the word, and the items that
 * jobs already ended left open are canceled now, at their job's end.
 *
 * PostgreSQL swaps the constraint: added NOT VALID and then validated, so the scan of the
 * table holds no lock that stops writes. SQLite cannot change a CHECK in place: the table is
 * rebuilt (SQLite's documented procedure: new table, copy, drop, rename, index again), a copy
 * of every item inside the migration's transaction.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

const STATUSES_BEFORE = ['pending', 'running', 'succeeded', 'failed'];
const STATUSES = [...STATUSES_BEFORE, 'canceled'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await statusCheckAllow(db, STATUSES);
  await sql`
    update job_items
    set status = 'canceled', error_code = null, error_message = null,
        finished_at = (select completed_at from jobs where jobs.id = job_items.job_id)
    where status in ('pending', 'running')
      and job_id in (select id from jobs where status in ('failed', 'canceled'))`.execute(db);
}

/** Canceled items go back to `failed` (the nearest word the old check allows), with code CANCELED. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    update job_items set status = 'failed', error_code = 'CANCELED', error_message = 'The job ended before this item finished.'
    where status = 'canceled'`.execute(db);
  await statusCheckAllow(db, STATUSES_BEFORE);
}

async function statusCheckAllow(db: Kysely<unknown>, statuses: string[]): Promise<void> {
  const allowed = sql.join(statuses.map((s) => sql.lit(s)));
  if (dialectOf(db) === 'postgres') {
    const checks = await sql<{ name: string }>`
      select conname as name from pg_constraint
      where conrelid = 'job_items'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%status%'`.execute(db);
    for (const { name } of checks.rows) await sql`alter table job_items drop constraint ${sql.id(name)}`.execute(db);
    await sql`alter table job_items add constraint job_items_status_check check (status in (${allowed})) not valid`.execute(db);
    await sql`alter table job_items validate constraint job_items_status_check`.execute(db);
    return;
  }
  await db.schema
    .createTable('job_items_next')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in (${allowed})`))
    .addColumn('input', 'text')
    .addColumn('result', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('available_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('job_items_pk', ['job_id', 'seq'])
    .execute();
  const columns = sql.raw('job_id, seq, key, status, input, result, error_code, error_message, attempts, available_at, started_at, finished_at');
  await sql`insert into job_items_next (${columns}) select ${columns} from job_items`.execute(db);
  await db.schema.dropTable('job_items').execute();
  await sql`alter table job_items_next rename to job_items`.execute(db);
  // As migration 0010 left it.
  await sql`create index job_items_open on job_items (job_id, available_at, seq) where status in ('pending', 'running')`.execute(db);
}
