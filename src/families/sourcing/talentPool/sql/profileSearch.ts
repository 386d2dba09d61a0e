/**
 * Full-text search of one organisation's pool: any of the terms, best first (SQLite: FTS5 bm25
 * with column weights skills 4, titles 3, headline 2, highlights 1, over the organisation's own
 * table, so its statistics are the pool's own — see store/scopedFts.ts; PostgreSQL: ts_rank over
 * the same columns weighted A–C, which reads only the row it ranks). Relevance and order depend
 * only on the organisation's profiles. Terms are reduced to letters and digits (see `searchTerms`).
 */
import { sql } from 'kysely';
import type { Db } from '../../../../store/database.ts';
import { dialectOf } from '../../../../store/dialect.ts';
import { ftsTableIfExists, PROFILES_FTS } from '../../../../store/scopedFts.ts';

export interface SearchHit {
  profileId: string;
  /** Higher is better. */
  relevance: number;
}

export async function profileSearch(db: Db, orgId: string, terms: string[], limit: number): Promise<{ hits: SearchHit[]; found: number }> {
  if (terms.length === 0) return { hits: [], found: 0 };
  if (dialectOf(db) === 'postgres') {
    const query = terms.join(' | ');
    const { rows } = await sql<{ profile_id: string; relevance: number }>`
      select profile_id, ts_rank(document, q) as relevance
      from profiles_fts, to_tsquery('simple', ${query}) q
      where org_id = ${orgId} and document @@ q
      order by relevance desc, profile_id
      limit ${limit}`.execute(db);
    const count = await sql<{ n: number }>`
      select count(*) as n from profiles_fts, to_tsquery('simple', ${query}) q where org_id = ${orgId} and document @@ q`.execute(db);
    return { hits: rows.map((r) => ({ profileId: r.profile_id, relevance: Number(r.relevance) })), found: Number(count.rows[0]?.n ?? 0) };
  }
  const table = await ftsTableIfExists(db, PROFILES_FTS, orgId);
  if (!table) return { hits: [], found: 0 };
  const fts = sql.table(table);
  const match = terms.map((t) => `"${t}"`).join(' OR ');
  const { rows } = await sql<{ profile_id: string; rank: number }>`
    select profile_id, bm25(${fts}, 0, 2.0, 3.0, 4.0, 1.0) as rank
    from ${fts} where ${fts} match ${match}
    order by rank, profile_id
    limit ${limit}`.execute(db);
  const count = await sql<{ n: number }>`select count(*) as n from ${fts} where ${fts} match ${match}`.execute(db);
  // bm25() is lower-is-better and negative; flip it so higher is better on both databases.
  return { hits: rows.map((r) => ({ profileId: r.profile_id, relevance: -Number(r.rank) })), found: Number(count.rows[0]?.n ?? 0) };
}
