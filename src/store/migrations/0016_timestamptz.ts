/**
 * PostgreSQL: times as `timestamptz`, not ISO 8601 text, so the database compares and indexes
 * them as times and its clock (`now()`, see postgres/clock.ts) is compared with them directly.
 * The code still reads and writes ISO strings with milliseconds and Z (the pool's type parser,
 * dialect.ts). SQLite keeps text: nothing to do there.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

/** Every time column, by table, as of this migration. */
export const TIME_COLUMNS: Record<string, string[]> = {
  organisations: ['created_at'],
  api_keys: ['created_at', 'last_used_at', 'revoked_at'],
  credit_accounts: ['updated_at'],
  credit_ledger: ['created_at'],
  idempotency_keys: ['created_at', 'expires_at'],
  jobs: ['run_at', 'available_at', 'lease_expires_at', 'created_at', 'started_at', 'completed_at', 'updated_at'],
  job_items: ['available_at', 'started_at', 'finished_at'],
  job_events: ['created_at'],
  engine_org_turns: ['last_served_at'],
  profiles: ['created_at', 'updated_at'],
  sourcing_run_profiles: ['created_at'],
  webhook_endpoints: ['previous_secret_expires_at', 'disabled_at', 'created_at', 'updated_at'],
  webhook_deliveries: ['next_attempt_at', 'created_at', 'updated_at', 'delivered_at'],
  webhook_delivery_attempts: ['at'],
  clips: ['created_at', 'updated_at'],
  clip_candidates: ['created_at'],
  clip_captions: ['created_at'],
  clip_renders: ['created_at'],
  clip_uploads: ['created_at', 'expires_at'],
  kbs: ['created_at', 'updated_at'],
  kb_docs: ['created_at', 'updated_at'],
  agents: ['last_run_at', 'next_run_at', 'created_at', 'updated_at'],
  agent_runs: ['created_at', 'completed_at'],
  agent_posts: ['created_at'],
  maintenance_leases: ['due_at', 'held_until'],
};

/** One ALTER TABLE per table: each rewrites the table (and its indexes) once. */
async function alterTimes(db: Kysely<unknown>, to: (column: string) => ReturnType<typeof sql>): Promise<void> {
  for (const [table, columns] of Object.entries(TIME_COLUMNS)) {
    await sql`alter table ${sql.table(table)} ${sql.join(columns.map(to))}`.execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await alterTimes(db, (column) => sql`alter column ${sql.ref(column)} type timestamptz using ${sql.ref(column)}::timestamptz`);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await alterTimes(
    db,
    (column) => sql`alter column ${sql.ref(column)} type text using to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  );
}
