/**
 * Passages of a knowledge base and their full-text index (SQLite: an FTS5 table of the knowledge
 * base's own, ranked by bm25; PostgreSQL: a weighted tsvector with a GIN index, ranked by
 * ts_rank), written with the document's ingestion in one transaction. Search matches any of the
 * query's words within one knowledge base, and its scores and ranks depend only on that
 * knowledge base's passages (see store/sqlite/scopedFts.ts; ts_rank reads only the row it ranks).
 *
 * Guarantee: a passage found holds at least one of the query's words in its own text (as the
 * index reads words: case and accents aside). The section heading is indexed too, but a word
 * found only there does not make a hit: the passage shown would not contain it. (A caller that
 * only ranks passages and shows none, like an agent weighing its instructions, may ask for
 * heading matches too: `within: 'text-or-heading'`.)
 */
import { newId } from '../../../../ids.ts';
import type { Db } from '../../../../store/database.ts';
import { driverOf } from '../../../../store/driver.ts';
import type { Chunk } from '../chunk.ts';

export async function chunksReplaceForDoc(trx: Db, doc: { id: string; kb_id: string }, chunks: Chunk[]): Promise<void> {
  const driver = driverOf(trx);
  await driver.passagesIndexDeleteForDoc(trx, doc.kb_id, doc.id);
  await trx.deleteFrom('kb_chunks').where('doc_id', '=', doc.id).execute();
  const passages = chunks.map((chunk) => ({ id: newId('psg'), heading: chunk.heading, content: chunk.content }));
  for (const [seq, passage] of passages.entries()) {
    await trx
      .insertInto('kb_chunks')
      .values({ id: passage.id, doc_id: doc.id, kb_id: doc.kb_id, seq, heading: passage.heading, content: passage.content, search_rowid: null })
      .execute();
  }
  await driver.passagesIndexPut(trx, doc.kb_id, passages);
}

/** Removes a knowledge base's full-text index (SQLite: its table; PostgreSQL's rows go by cascade). */
export async function chunksIndexDeleteForKb(trx: Db, kbId: string): Promise<void> {
  await driverOf(trx).passagesIndexDeleteForKb(trx, kbId);
}

export interface PassageHit {
  chunkId: string;
  uri: string;
  /** The document's title, when it has one (given, or found in the document). */
  title: string | null;
  heading: string | null;
  content: string;
  /** Higher is better; 0…1 within one search. */
  score: number;
}

export async function passagesSearch(
  db: Db,
  kbId: string,
  terms: string[],
  limit: number,
  within: 'text' | 'text-or-heading' = 'text',
): Promise<{ hits: PassageHit[]; total: number }> {
  const headingsToo = within === 'text-or-heading';
  if (terms.length === 0) return { hits: [], total: 0 };
  const { ranked, total } = await driverOf(db).passagesSearch(db, kbId, terms, limit, headingsToo);
  if (ranked.length === 0) return { hits: [], total };
  const rows = await db
    .selectFrom('kb_chunks as c')
    .innerJoin('kb_docs as d', 'd.id', 'c.doc_id')
    .select(['c.id', 'c.heading', 'c.content', 'd.uri', 'd.title'])
    .where(
      'c.id',
      'in',
      ranked.map((r) => r.id),
    )
    .execute();
  const best = Math.max(...ranked.map((r) => Number(r.relevance)), Number.EPSILON);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const hits = ranked.flatMap((r) => {
    const row = byId.get(r.id);
    return row
      ? [
          {
            chunkId: row.id,
            uri: row.uri,
            title: row.title,
            heading: row.heading,
            content: row.content,
            score: Math.round((Number(r.relevance) / best) * 1000) / 1000,
          },
        ]
      : [];
  });
  return { hits, total };
}

/** A knowledge base's passages in reading order (documents oldest first), at most `limit`. */
export async function passagesInKb(
  db: Db,
  kbId: string,
  limit: number,
): Promise<{ id: string; uri: string; title: string | null; heading: string | null; content: string }[]> {
  return db
    .selectFrom('kb_chunks as c')
    .innerJoin('kb_docs as d', 'd.id', 'c.doc_id')
    .select(['c.id', 'd.uri', 'd.title', 'c.heading', 'c.content'])
    .where('c.kb_id', '=', kbId)
    .where('d.status', '=', 'indexed')
    .orderBy('d.id')
    .orderBy('c.seq')
    .limit(limit)
    .execute();
}
