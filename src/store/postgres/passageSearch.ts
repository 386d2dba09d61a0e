/**
 * Passages' full-text entries on PostgreSQL: a weighted tsvector (heading A, content B) with a
 * GIN index, ranked by ts_rank, which reads only the row it ranks. Removed with the passage, by
 * cascade.
 */
import { sql, type Kysely } from 'kysely';
import type { IndexedPassage, Ranked } from '../driver.ts';
import { foldAccents } from '../foldAccents.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database>;

export async function passagesIndexDeleteForDoc(): Promise<void> {
  // The foreign key's cascade removes the entries with the passages.
}

export async function passagesIndexPut(trx: Db, kbId: string, passages: IndexedPassage[]): Promise<void> {
  for (const passage of passages) {
    await sql`insert into kb_chunks_fts (chunk_id, kb_id, document)
      values (${passage.id}, ${kbId}, setweight(to_tsvector('simple', ${foldAccents(passage.heading ?? '')}), 'A') || setweight(to_tsvector('simple', ${foldAccents(passage.content)}), 'B'))`.execute(
      trx,
    );
  }
}

export async function passagesIndexDeleteForKb(): Promise<void> {
  // The foreign key's cascade removes the entries with the passages.
}

export async function passagesSearch(db: Db, kbId: string, terms: string[], limit: number, headingsToo: boolean): Promise<{ ranked: Ranked[]; total: number }> {
  // `:B`: the content's lexemes only (the heading's are weighted A).
  const query = terms.map((t) => (headingsToo ? t : `${t}:B`)).join(' | ');
  const { rows } = await sql<{ chunk_id: string; relevance: number }>`
    select chunk_id, ts_rank(document, q) as relevance from kb_chunks_fts, to_tsquery('simple', ${query}) q
    where kb_id = ${kbId} and document @@ q order by relevance desc, chunk_id limit ${limit}`.execute(db);
  const total = Number(
    (await sql<{ n: number }>`select count(*) as n from kb_chunks_fts, to_tsquery('simple', ${query}) q where kb_id = ${kbId} and document @@ q`.execute(db))
      .rows[0]?.n ?? 0,
  );
  return { ranked: rows.map((r) => ({ id: r.chunk_id, relevance: Number(r.relevance) })), total };
}
