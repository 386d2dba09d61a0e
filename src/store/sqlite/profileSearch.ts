/**
 * Profiles' full-text entries on SQLite: an FTS5 row in the organisation's own table (so bm25's
 * statistics are the pool's own, see scopedFts.ts), found again by the rowid kept on the profile
 * (FTS5 cannot look a row up by an unindexed column without scanning). Ranked by bm25 with
 * column weights skills 4, titles 3, headline 2, highlights 1.
 */
import { sql, type Kysely } from 'kysely';
import type { IndexedProfile, ProfileSearchDocument, Ranked } from '../driver.ts';
import type { Database } from '../schema.ts';
import { ftsTableCreateIfMissing, ftsTableIfExists, ftsTableOf, PROFILES_FTS } from './scopedFts.ts';

type Db = Kysely<Database>;

export async function profileIndexPut(trx: Db, profile: IndexedProfile, doc: ProfileSearchDocument): Promise<void> {
  const fts = sql.table(await ftsTableCreateIfMissing(trx, PROFILES_FTS, profile.org_id));
  if (profile.search_rowid !== null) await sql`delete from ${fts} where rowid = ${profile.search_rowid}`.execute(trx);
  await sql`
    insert into ${fts} (profile_id, headline, titles, skills, highlights)
    values (${profile.id}, ${doc.headline}, ${doc.titles}, ${doc.skills}, ${doc.highlights})`.execute(trx);
  const { rows } = await sql<{ id: number }>`select last_insert_rowid() as id`.execute(trx);
  await trx
    .updateTable('profiles')
    .set({ search_rowid: Number(rows[0]!.id) })
    .where('id', '=', profile.id)
    .execute();
}

export async function profileIndexDelete(trx: Db, profile: IndexedProfile): Promise<void> {
  // A profile with a rowid was indexed, so its organisation's table exists.
  if (profile.search_rowid !== null)
    await sql`delete from ${sql.table(ftsTableOf(PROFILES_FTS, profile.org_id))} where rowid = ${profile.search_rowid}`.execute(trx);
}

export async function profilesSearch(db: Db, orgId: string, terms: string[], limit: number): Promise<{ ranked: Ranked[]; total: number }> {
  const table = await ftsTableIfExists(db, PROFILES_FTS, orgId);
  if (!table) return { ranked: [], total: 0 };
  const fts = sql.table(table);
  const match = terms.map((t) => `"${t}"`).join(' OR ');
  const { rows } = await sql<{ profile_id: string; rank: number }>`
    select profile_id, bm25(${fts}, 0, 2.0, 3.0, 4.0, 1.0) as rank
    from ${fts} where ${fts} match ${match}
    order by rank, profile_id
    limit ${limit}`.execute(db);
  const count = await sql<{ n: number }>`select count(*) as n from ${fts} where ${fts} match ${match}`.execute(db);
  // bm25() is lower-is-better and negative; flipped so higher is better, as on PostgreSQL.
  return { ranked: rows.map((r) => ({ id: r.profile_id, relevance: -Number(r.rank) })), total: Number(count.rows[0]?.n ?? 0) };
}
