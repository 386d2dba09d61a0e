/**
 * An index in exactly the order the claim reads (`jobsClaim`): an organisation's claimable
 * jobs by priority (highest first), then by when they became available, then by ID; finished
 * jobs (available_at null) are left out. The index it replaces, (org_id, priority, available_at),
 * could not serve "priority desc, available_at asc", so every claim sorted all of the
 * organisation's queued jobs: O(queued) per claim, found by `npm run bench -- engine`.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index jobs_claim_order on jobs (org_id, priority desc, available_at, id) where available_at is not null`.execute(db);
  await db.schema.dropIndex('jobs_claim').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['org_id', 'priority', 'available_at']).execute();
  await db.schema.dropIndex('jobs_claim_order').execute();
}
