/**
 * Full-text search of one organisation's pool: any of the terms, best first (SQLite: FTS5 bm25
 * with column weights skills 4, titles 3, headline 2, highlights 1, over the organisation's own
 * table, so its statistics are the pool's own — see store/sqlite/scopedFts.ts; PostgreSQL: ts_rank over
 * the same columns weighted A–C, which reads only the row it ranks). Relevance and order depend
 * only on the organisation's profiles. Terms are reduced to letters and digits (see `searchTerms`).
 */
import type { Db } from '../../../../store/database.ts';
import { driverOf } from '../../../../store/driver.ts';

export interface SearchHit {
  profileId: string;
  /** Higher is better. */
  relevance: number;
}

export async function profileSearch(db: Db, orgId: string, terms: string[], limit: number): Promise<{ hits: SearchHit[]; found: number }> {
  if (terms.length === 0) return { hits: [], found: 0 };
  const { ranked, total } = await driverOf(db).profilesSearch(db, orgId, terms, limit);
  return { hits: ranked.map((r) => ({ profileId: r.id, relevance: r.relevance })), found: total };
}
