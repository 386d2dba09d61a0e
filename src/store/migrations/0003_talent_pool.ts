/**
 * The talent pool (profiles and the identities a re-import is matched on), its full-text index,
 * and which profiles each sourcing run returned (what enrichment runs are allowed to enrich).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('headline', 'text')
    .addColumn('location', 'text')
    .addColumn('linkedin_url', 'text')
    // JSON array of every email seen for this person, first one first.
    .addColumn('emails', 'text', (c) => c.notNull())
    // The JSON Resume document as last imported.
    .addColumn('resume', 'text', (c) => c.notNull())
    // SQLite only: the row of this profile in profiles_fts (FTS5 rows are found by rowid).
    .addColumn('search_rowid', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('profiles_org_list').on('profiles').columns(['org_id', 'id']).execute();

  // A person is the same person when any of their emails or their LinkedIn URL is seen again.
  await db.schema
    .createTable('profile_identities')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('email', 'linkedin')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull().references('profiles.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('profile_identities_pk', ['org_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('profile_identities_profile').on('profile_identities').column('profile_id').execute();

  if (dialectOf(db) === 'sqlite') {
    // FTS5 with bm25 ranking. `skills` holds canonical skill tokens (see scoring/skills.ts), so a
    // search for Kubernetes finds a profile that wrote k8s.
    // org_id is indexed so a search matches within one organisation (`org_id : "<id>" AND …`)
    // instead of filtering every organisation's matches afterwards.
    await sql`create virtual table profiles_fts using fts5(
      profile_id unindexed, org_id, headline, titles, skills, highlights,
      tokenize = 'unicode61 remove_diacritics 2'
    )`.execute(db);
  } else {
    await db.schema
      .createTable('profiles_fts')
      .addColumn('profile_id', 'text', (c) => c.primaryKey().references('profiles.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('document', sql`tsvector`, (c) => c.notNull())
      .execute();
    await sql`create index profiles_fts_document on profiles_fts using gin (document)`.execute(db);
  }

  // Job IDs now have a prefix per kind (req_, enr_, job_), so the newest-first list of /jobs
  // orders by creation time rather than by ID.
  await db.schema.createIndex('jobs_org_created').on('jobs').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('sourcing_run_profiles')
    .addColumn('run_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text', (c) => c.notNull().references('profiles.id').onDelete('cascade'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('match_score', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sourcing_run_profiles_pk', ['run_id', 'profile_id'])
    .execute();
  await db.schema.createIndex('sourcing_run_profiles_latest').on('sourcing_run_profiles').columns(['org_id', 'profile_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_org_created').execute();
  for (const table of ['sourcing_run_profiles', 'profiles_fts', 'profile_identities', 'profiles']) {
    await db.schema.dropTable(table).execute();
  }
}
