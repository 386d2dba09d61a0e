/**
 * Keeps a profile's full-text entry in step with the profile, in the caller's transaction.
 * SQLite: an FTS5 row in the organisation's own table (so bm25's statistics are the pool's own,
 * see store/scopedFts.ts), found again by the rowid kept on the profile (FTS5 cannot look a row
 * up by an unindexed column without scanning). PostgreSQL: a weighted tsvector with a GIN index.
 */
import { sql } from 'kysely';
import type { Db } from '../../../../store/database.ts';
import { dialectOf } from '../../../../store/dialect.ts';
import { ftsTableCreateIfMissing, ftsTableOf, PROFILES_FTS } from '../../../../store/scopedFts.ts';
import { foldAccents } from '../../../../searchTerms.ts';
import type { SearchDocument } from '../searchDocument.ts';

export async function profileSearchIndexPut(trx: Db, profile: { id: string; org_id: string; search_rowid: number | null }, doc: SearchDocument): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`
      insert into profiles_fts (profile_id, org_id, document)
      values (${profile.id}, ${profile.org_id},
        setweight(to_tsvector('simple', ${foldAccents(doc.headline)}), 'B') || setweight(to_tsvector('simple', ${foldAccents(doc.titles)}), 'B') ||
        setweight(to_tsvector('simple', ${doc.skills}), 'A') || setweight(to_tsvector('simple', ${foldAccents(doc.highlights)}), 'C'))
      on conflict (profile_id) do update set document = excluded.document`.execute(trx);
    return;
  }
  const fts = sql.table(await ftsTableCreateIfMissing(trx, PROFILES_FTS, profile.org_id));
  if (profile.search_rowid !== null) await sql`delete from ${fts} where rowid = ${profile.search_rowid}`.execute(trx);
  await sql`
    insert into ${fts} (profile_id, headline, titles, skills, highlights)
    values (${profile.id}, ${doc.headline}, ${doc.titles}, ${doc.skills}, ${doc.highlights})`.execute(trx);
  const { rows } = await sql<{ id: number }>`select last_insert_rowid() as id`.execute(trx);
  await trx.updateTable('profiles').set({ search_rowid: Number(rows[0]!.id) }).where('id', '=', profile.id).execute();
}

export async function profileSearchIndexDelete(trx: Db, profile: { id: string; org_id: string; search_rowid: number | null }): Promise<void> {
  if (dialectOf(trx) === 'postgres') return; // the foreign key's cascade removes it
  // A profile with a rowid was indexed, so its organisation's table exists.
  if (profile.search_rowid !== null) await sql`delete from ${sql.table(ftsTableOf(PROFILES_FTS, profile.org_id))} where rowid = ${profile.search_rowid}`.execute(trx);
}
