/**
 * One row per running `serve` or `worker` process (`GET /workers`, `longrun workers`): who it
 * is, what it runs, and its last heartbeat. `alive_until` is written with each beat (the
 * beat's time plus a few intervals, by the database's clock), so "alive" is one comparison
 * with the same clock on both databases, whatever interval each process beats at.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Times as every other table keeps them since 0016: timestamptz on PostgreSQL, ISO text on SQLite.
  const time = dialectOf(db) === 'postgres' ? 'timestamptz' : 'text';
  await db.schema
    .createTable('processes')
    // The engine's lease owner (host:pid:nonce), so a job's `lease_owner` names its process.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    // `api` (serves the API, may run workers too) or `worker`.
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('started_at', time, (c) => c.notNull())
    .addColumn('beat_at', time, (c) => c.notNull())
    .addColumn('alive_until', time, (c) => c.notNull())
    .addColumn('jobs_held', 'integer', (c) => c.notNull())
    .addColumn('worker_slots', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('processes').execute();
}
