/**
 * SQLite: full-text search tables one per scope — `kb_chunks_fts_<kb>` for a knowledge base's
 * passages, `profiles_fts_<org>` for an organisation's profiles — instead of one shared table
 * each. FTS5's bm25 takes its statistics (row count, average length, how many rows hold a word)
 * from the whole table, so in a shared table one organisation's scores and ranks moved when
 * another indexed documents with the searched word (issue 25). Rows keep their rowids, so the
 * `search_rowid` kept on kb_chunks and profiles stays right. PostgreSQL is unchanged: ts_rank
 * reads only the row it ranks. Names and columns as in store/sqlite/scopedFts.ts, copied here so this
 * migration stays what it was when it ran.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

const TOKENIZE = `tokenize = 'unicode61 remove_diacritics 2'`;
const tableOf = (prefix: string, scopeId: string) => `${prefix}_${scopeId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  const kbs = await sql<{ kb_id: string }>`select distinct kb_id from kb_chunks where search_rowid is not null`.execute(db);
  for (const { kb_id: kbId } of kbs.rows) {
    const table = sql.table(tableOf('kb_chunks_fts', kbId));
    await sql`create virtual table ${table} using fts5(chunk_id unindexed, heading, content, ${sql.raw(TOKENIZE)})`.execute(db);
    await sql`insert into ${table} (rowid, chunk_id, heading, content)
      select f.rowid, f.chunk_id, f.heading, f.content from kb_chunks c join kb_chunks_fts f on f.rowid = c.search_rowid where c.kb_id = ${kbId}`.execute(db);
  }
  await sql`drop table kb_chunks_fts`.execute(db);

  const orgs = await sql<{ org_id: string }>`select distinct org_id from profiles where search_rowid is not null`.execute(db);
  for (const { org_id: orgId } of orgs.rows) {
    const table = sql.table(tableOf('profiles_fts', orgId));
    await sql`create virtual table ${table} using fts5(profile_id unindexed, headline, titles, skills, highlights, ${sql.raw(TOKENIZE)})`.execute(db);
    await sql`insert into ${table} (rowid, profile_id, headline, titles, skills, highlights)
      select f.rowid, f.profile_id, f.headline, f.titles, f.skills, f.highlights from profiles p join profiles_fts f on f.rowid = p.search_rowid where p.org_id = ${orgId}`.execute(
      db,
    );
  }
  await sql`drop table profiles_fts`.execute(db);
}

/** Back to the shared tables; rowids are kept where they do not collide, and search_rowid follows. */
export async function down(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`create virtual table kb_chunks_fts using fts5(chunk_id unindexed, kb_id, heading, content, ${sql.raw(TOKENIZE)})`.execute(db);
  const kbs = await sql<{ kb_id: string }>`select distinct kb_id from kb_chunks where search_rowid is not null`.execute(db);
  for (const { kb_id: kbId } of kbs.rows) {
    const table = sql.table(tableOf('kb_chunks_fts', kbId));
    const rows = await sql<{ chunk_id: string; heading: string; content: string }>`select chunk_id, heading, content from ${table}`.execute(db);
    for (const row of rows.rows) {
      await sql`insert into kb_chunks_fts (chunk_id, kb_id, heading, content) values (${row.chunk_id}, ${tableOf('', kbId).slice(1)}, ${row.heading}, ${row.content})`.execute(
        db,
      );
      await sql`update kb_chunks set search_rowid = last_insert_rowid() where id = ${row.chunk_id}`.execute(db);
    }
    await sql`drop table ${table}`.execute(db);
  }

  await sql`create virtual table profiles_fts using fts5(profile_id unindexed, org_id, headline, titles, skills, highlights, ${sql.raw(TOKENIZE)})`.execute(db);
  const orgs = await sql<{ org_id: string }>`select distinct org_id from profiles where search_rowid is not null`.execute(db);
  for (const { org_id: orgId } of orgs.rows) {
    const table = sql.table(tableOf('profiles_fts', orgId));
    const rows = await sql<{ profile_id: string; headline: string; titles: string; skills: string; highlights: string }>`
      select profile_id, headline, titles, skills, highlights from ${table}`.execute(db);
    for (const row of rows.rows) {
      await sql`insert into profiles_fts (profile_id, org_id, headline, titles, skills, highlights)
        values (${row.profile_id}, ${tableOf('', orgId).slice(1)}, ${row.headline}, ${row.titles}, ${row.skills}, ${row.highlights})`.execute(db);
      await sql`update profiles set search_rowid = last_insert_rowid() where id = ${row.profile_id}`.execute(db);
    }
    await sql`drop table ${table}`.execute(db);
  }
}
