/** The job engine: jobs, their items, their events, and each organisation's turn in the queue. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'completed', 'failed', 'canceled')`))
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    // When a worker may next claim the job: run_at while queued, the lease expiry while leased,
    // the next item's retry time while waiting; null once finished. One column, one index.
    .addColumn('available_at', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('items_total', 'integer', (c) => c.notNull())
    .addColumn('items_succeeded', 'integer', (c) => c.notNull())
    .addColumn('items_failed', 'integer', (c) => c.notNull())
    .addColumn('credits_reserved', 'integer', (c) => c.notNull())
    .addColumn('credits_charged', 'integer', (c) => c.notNull())
    .addColumn('last_event_seq', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['org_id', 'priority', 'available_at']).execute();
  await db.schema.createIndex('jobs_available_at').on('jobs').column('available_at').execute();
  await db.schema.createIndex('jobs_org_list').on('jobs').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('jobs_finished').on('jobs').column('completed_at').execute();
  await db.schema.createIndex('jobs_leased').on('jobs').columns(['org_id', 'lease_expires_at']).where(sql.ref('lease_owner'), 'is not', null).execute();

  await db.schema
    .createTable('job_items')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'running', 'succeeded', 'failed')`))
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
  await db.schema.createIndex('job_items_open').on('job_items').columns(['job_id', 'status', 'seq']).execute();

  await db.schema
    .createTable('job_events')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_events_pk', ['job_id', 'seq'])
    .execute();

  // Claiming rotates across organisations: the one served longest ago goes first.
  await db.schema
    .createTable('engine_org_turns')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('active_jobs', 'integer', (c) => c.notNull())
    .addColumn('last_served_at', 'text')
    .execute();
  await db.schema.createIndex('engine_org_turns_active').on('engine_org_turns').columns(['active_jobs', 'last_served_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['engine_org_turns', 'job_events', 'job_items', 'jobs']) await db.schema.dropTable(table).execute();
}
