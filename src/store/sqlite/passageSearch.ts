/**
 * Passages' full-text entries on SQLite: an FTS5 table of the knowledge base's own (see
 * scopedFts.ts), its rowid kept on the passage, ranked by bm25 with weights heading 2, content 1.
 */
import { sql, type Kysely } from 'kysely';
import type { IndexedPassage, Ranked } from '../driver.ts';
import type { Database } from '../schema.ts';
import { ftsTableCreateIfMissing, ftsTableDrop, ftsTableIfExists, ftsTableOf, KB_CHUNKS_FTS } from './scopedFts.ts';

type Db = Kysely<Database>;

export async function passagesIndexDeleteForDoc(trx: Db, kbId: string, docId: string): Promise<void> {
  const old = await trx.selectFrom('kb_chunks').select('search_rowid').where('doc_id', '=', docId).where('search_rowid', 'is not', null).execute();
  if (old.length === 0) return;
  // A passage with a rowid was indexed, so its knowledge base's table exists.
  const fts = sql.table(ftsTableOf(KB_CHUNKS_FTS, kbId));
  for (const { search_rowid: rowid } of old) await sql`delete from ${fts} where rowid = ${rowid}`.execute(trx);
}

export async function passagesIndexPut(trx: Db, kbId: string, passages: IndexedPassage[]): Promise<void> {
  const fts = sql.table(await ftsTableCreateIfMissing(trx, KB_CHUNKS_FTS, kbId));
  for (const passage of passages) {
    await sql`insert into ${fts} (chunk_id, heading, content) values (${passage.id}, ${passage.heading ?? ''}, ${passage.content})`.execute(trx);
    const rowid = Number((await sql<{ id: number }>`select last_insert_rowid() as id`.execute(trx)).rows[0]!.id);
    await trx.updateTable('kb_chunks').set({ search_rowid: rowid }).where('id', '=', passage.id).execute();
  }
}

export async function passagesIndexDeleteForKb(trx: Db, kbId: string): Promise<void> {
  await ftsTableDrop(trx, KB_CHUNKS_FTS, kbId);
}

export async function passagesSearch(db: Db, kbId: string, terms: string[], limit: number, headingsToo: boolean): Promise<{ ranked: Ranked[]; total: number }> {
  const table = await ftsTableIfExists(db, KB_CHUNKS_FTS, kbId);
  if (!table) return { ranked: [], total: 0 };
  const fts = sql.table(table);
  // A column filter: the content only, unless headings count too.
  const any = terms.map((t) => `"${t}"`).join(' OR ');
  const match = headingsToo ? any : `content : (${any})`;
  const { rows } = await sql<{ chunk_id: string; relevance: number }>`
    select chunk_id, -bm25(${fts}, 0, 2.0, 1.0) as relevance from ${fts}
    where ${fts} match ${match} order by relevance desc, chunk_id limit ${limit}`.execute(db);
  const total = Number((await sql<{ n: number }>`select count(*) as n from ${fts} where ${fts} match ${match}`.execute(db)).rows[0]?.n ?? 0);
  return { ranked: rows.map((r) => ({ id: r.chunk_id, relevance: Number(r.relevance) })), total };
}
