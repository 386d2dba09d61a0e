/**
 * Agents, their runs and the posts the runs write; and serial queues for the engine.
 *
 * `jobs.queue`: jobs that share a queue run one at a time, in order (an agent's runs share
 * `agent:<id>`). `agent_runs` has a unique key on (agent, scheduled time), so a tick fires once
 * however many schedulers see it. A run's final state is copied onto its row when its job ends,
 * so run history outlives the pruning of finished jobs.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('queue', 'text').execute();
  // The claim asks "is a job of this queue running?": only running jobs are indexed (a handful,
  // bounded by the worker slots), so PostgreSQL's hashed subplan reads this index, not the table.
  await db.schema.createIndex('jobs_running_queue').on('jobs').column('queue').where(sql.ref('status'), '=', 'running').execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kb_id', 'text', (c) => c.references('kbs.id').onDelete('set null'))
    // JSON array of platform names.
    .addColumn('platforms', 'text', (c) => c.notNull())
    .addColumn('posts_per_run', 'integer', (c) => c.notNull())
    .addColumn('schedule', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text', (c) => c.notNull())
    .addColumn('tone', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    // The next tick to fire; null for a manual or disabled agent.
    .addColumn('next_run_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agents_org').on('agents').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('agents_due').on('agents').column('next_run_at').where(sql.ref('next_run_at'), 'is not', null).execute();

  await db.schema
    .createTable('agent_runs')
    // The run's job ID (run_<ULID>); a run refused before it had a job keeps its own.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('manual', 'schedule')`))
    .addColumn('scheduled_for', 'text')
    // JSON array of the passage IDs the run writes about (so later runs pick others).
    .addColumn('passages', 'text', (c) => c.notNull())
    // Copied from the job when it ends; null while it is queued or running.
    .addColumn('final_status', 'text', (c) => c.check(sql`final_status in ('completed', 'failed')`))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('agent_runs_agent').on('agent_runs').columns(['agent_id', 'id']).execute();
  await db.schema.createIndex('agent_runs_tick').on('agent_runs').columns(['agent_id', 'scheduled_for']).unique().execute();

  await db.schema
    .createTable('agent_posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('agent_runs.id').onDelete('cascade'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    // JSON array of the URIs cited.
    .addColumn('sources', 'text', (c) => c.notNull())
    .addColumn('tokens_used', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_posts_item').on('agent_posts').columns(['run_id', 'item_key']).unique().execute();
  await db.schema.createIndex('agent_posts_agent').on('agent_posts').columns(['agent_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['agent_posts', 'agent_runs', 'agents']) await db.schema.dropTable(table).execute();
  await db.schema.dropIndex('jobs_running_queue').execute();
  await db.schema.alterTable('jobs').dropColumn('queue').execute();
}
