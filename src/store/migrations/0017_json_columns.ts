/**
 * PostgreSQL: JSON columns get JSON types, so the database refuses text that is not JSON.
 * - `jsonb` where only the values matter: arrays of names (scopes, e-mails, platforms, event
 *   types, passage IDs, cited URIs), a webhook's headers, an upload's part checksums.
 * - `json` where the document's own text is what a user sees or what was signed: a job's input
 *   and output, items' inputs and results, events, a profile's résumé, caption cues, a webhook
 *   payload. `jsonb` would reorder their keys (shortest first) and respace them, so an answer
 *   would differ between the databases and from what the client sent; `json` keeps the text.
 * An idempotent replay's stored answer stays `text`: it is an HTTP body, replayed byte for byte.
 * The code still reads and writes JSON as text (the pool's type parser, dialect.ts); SQLite
 * keeps text: nothing to do there.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export const JSONB_COLUMNS: Record<string, string[]> = {
  api_keys: ['scopes'],
  profiles: ['emails'],
  webhook_endpoints: ['events', 'headers'],
  clip_uploads: ['parts'],
  agents: ['platforms'],
  agent_runs: ['passages'],
  agent_posts: ['sources'],
};

export const JSON_COLUMNS: Record<string, string[]> = {
  jobs: ['input', 'output'],
  job_items: ['input', 'result'],
  job_events: ['data'],
  profiles: ['resume'],
  clip_captions: ['cues'],
  webhook_deliveries: ['payload'],
};

/** One ALTER TABLE per table and type: each rewrites the table once. */
async function alter(db: Kysely<unknown>, columns: Record<string, string[]>, type: 'json' | 'jsonb' | 'text'): Promise<void> {
  for (const [table, names] of Object.entries(columns)) {
    const changes = names.map((c) => sql`alter column ${sql.ref(c)} type ${sql.raw(type)} using ${sql.ref(c)}::${sql.raw(type)}`);
    await sql`alter table ${sql.table(table)} ${sql.join(changes)}`.execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await alter(db, JSONB_COLUMNS, 'jsonb');
  await alter(db, JSON_COLUMNS, 'json');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await alter(db, JSONB_COLUMNS, 'text');
  await alter(db, JSON_COLUMNS, 'text');
}
