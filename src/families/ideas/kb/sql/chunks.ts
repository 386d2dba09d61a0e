/**
 * Passages of a knowledge base and their full-text index (SQLite: an FTS5 table of the knowledge
 * base's own, ranked by bm25; PostgreSQL: a weighted tsvector with a GIN index, ranked by
 * ts_rank), written with the document's ingestion in one transaction. Search matches any of the
 * query's words within one knowledge base, and its scores and ranks depend only on that
 * knowledge base's passages (see store/scopedFts.ts; ts_rank reads only the row it ranks).
 *
 * Guarantee: a passage found holds at least one of the query's words in its own text (as the
 * index reads words: case and accents aside). The section heading is indexed too, but a word
 * found only there does not make a hit: the passage shown would not contain it. (A caller that
 * only ranks passages and shows none, like an agent weighing its instructions, may ask for
 * heading matches too: `within: 'text-or-heading'`.)
 */
import { sql } from 'kysely';
import { newId } from '../../../../ids.ts';
import type { Db } from '../../../../store/database.ts';
import { dialectOf } from '../../../../store/dialect.ts';
import { ftsTableCreateIfMissing, ftsTableDrop, ftsTableIfExists, KB_CHUNKS_FTS } from '../../../../store/scopedFts.ts';
import { foldAccents } from '../../../../searchTerms.ts';
import type { Chunk } from '../chunk.ts';

export async function chunksReplaceForDoc(trx: Db, doc: { id: string; kb_id: string }, chunks: Chunk[]): Promise<void> {
  const postgres = dialectOf(trx) === 'postgres';
  const fts = postgres ? null : sql.table(await ftsTableCreateIfMissing(trx, KB_CHUNKS_FTS, doc.kb_id));
  if (fts) {
    const old = await trx.selectFrom('kb_chunks').select('search_rowid').where('doc_id', '=', doc.id).execute();
    for (const { search_rowid: rowid } of old) if (rowid !== null) await sql`delete from ${fts} where rowid = ${rowid}`.execute(trx);
  }
  await trx.deleteFrom('kb_chunks').where('doc_id', '=', doc.id).execute();
  for (const [seq, chunk] of chunks.entries()) {
    const id = newId('psg');
    let rowid: number | null = null;
    await trx.insertInto('kb_chunks').values({ id, doc_id: doc.id, kb_id: doc.kb_id, seq, heading: chunk.heading, content: chunk.content, search_rowid: null }).execute();
    if (!fts) {
      await sql`insert into kb_chunks_fts (chunk_id, kb_id, document)
        values (${id}, ${doc.kb_id}, setweight(to_tsvector('simple', ${foldAccents(chunk.heading ?? '')}), 'A') || setweight(to_tsvector('simple', ${foldAccents(chunk.content)}), 'B'))`.execute(trx);
    } else {
      await sql`insert into ${fts} (chunk_id, heading, content) values (${id}, ${chunk.heading ?? ''}, ${chunk.content})`.execute(trx);
      rowid = Number((await sql<{ id: number }>`select last_insert_rowid() as id`.execute(trx)).rows[0]!.id);
      await trx.updateTable('kb_chunks').set({ search_rowid: rowid }).where('id', '=', id).execute();
    }
  }
}

/** Removes a knowledge base's full-text index (SQLite: its table; PostgreSQL's rows go by cascade). */
export async function chunksIndexDeleteForKb(trx: Db, kbId: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') return;
  await ftsTableDrop(trx, KB_CHUNKS_FTS, kbId);
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
  let ranked: { chunk_id: string; relevance: number }[];
  let total: number;
  if (dialectOf(db) === 'postgres') {
    // `:B`: the content's lexemes only (the heading's are weighted A), see the guarantee above.
    const query = terms.map((t) => (headingsToo ? t : `${t}:B`)).join(' | ');
    ranked = (
      await sql<{ chunk_id: string; relevance: number }>`
        select chunk_id, ts_rank(document, q) as relevance from kb_chunks_fts, to_tsquery('simple', ${query}) q
        where kb_id = ${kbId} and document @@ q order by relevance desc, chunk_id limit ${limit}`.execute(db)
    ).rows;
    total = Number((await sql<{ n: number }>`select count(*) as n from kb_chunks_fts, to_tsquery('simple', ${query}) q where kb_id = ${kbId} and document @@ q`.execute(db)).rows[0]?.n ?? 0);
  } else {
    const table = await ftsTableIfExists(db, KB_CHUNKS_FTS, kbId);
    if (!table) return { hits: [], total: 0 };
    const fts = sql.table(table);
    // A column filter: the content only, see the guarantee above.
    const any = terms.map((t) => `"${t}"`).join(' OR ');
    const match = headingsToo ? any : `content : (${any})`;
    ranked = (
      await sql<{ chunk_id: string; relevance: number }>`
        select chunk_id, -bm25(${fts}, 0, 2.0, 1.0) as relevance from ${fts}
        where ${fts} match ${match} order by relevance desc, chunk_id limit ${limit}`.execute(db)
    ).rows;
    total = Number((await sql<{ n: number }>`select count(*) as n from ${fts} where ${fts} match ${match}`.execute(db)).rows[0]?.n ?? 0);
  }
  if (ranked.length === 0) return { hits: [], total };
  const rows = await db
    .selectFrom('kb_chunks as c')
    .innerJoin('kb_docs as d', 'd.id', 'c.doc_id')
    .select(['c.id', 'c.heading', 'c.content', 'd.uri', 'd.title'])
    .where('c.id', 'in', ranked.map((r) => r.chunk_id))
    .execute();
  const best = Math.max(...ranked.map((r) => Number(r.relevance)), Number.EPSILON);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const hits = ranked.flatMap((r) => {
    const row = byId.get(r.chunk_id);
    return row ? [{ chunkId: row.id, uri: row.uri, title: row.title, heading: row.heading, content: row.content, score: Math.round((Number(r.relevance) / best) * 1000) / 1000 }] : [];
  });
  return { hits, total };
}

/** A knowledge base's passages in reading order (documents oldest first), at most `limit`. */
export async function passagesInKb(db: Db, kbId: string, limit: number): Promise<{ id: string; uri: string; title: string | null; heading: string | null; content: string }[]> {
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
