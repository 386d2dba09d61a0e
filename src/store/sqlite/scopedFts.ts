/**
 * SQLite full-text tables kept one per scope — a knowledge base's passages, an organisation's
 * profiles — so that FTS5's bm25 statistics (how many rows, their average length, how many rows
 * hold a word) are the scope's own: what another organisation, or another knowledge base,
 * indexes cannot move a score or a rank (issue 25). A single shared FTS5 table computes them
 * over every row it holds, whatever the MATCH keeps.
 *
 * A scope's table is made by its first write (`ftsTableCreateIfMissing`, inside the writer's
 * transaction, so a rolled-back write leaves no table) and dropped with the scope. Not needed on
 * PostgreSQL: ts_rank reads only the row it ranks.
 */
import { sql } from 'kysely';
import type { Db } from '../database.ts';

export interface ScopedFts {
  /** Table name prefix; a scope's table is `<prefix>_<scope id in [a-z0-9]>`. */
  prefix: string;
  /** Column definitions, in order: the row's ID (unindexed) first, then the indexed text. */
  columns: string;
}

/** The passages of one knowledge base: bm25 weights 0 (chunk_id), 2 (heading), 1 (content). */
export const KB_CHUNKS_FTS: ScopedFts = { prefix: 'kb_chunks_fts', columns: 'chunk_id unindexed, heading, content' };

/** The profiles of one organisation: the columns of searchDocument.ts. */
export const PROFILES_FTS: ScopedFts = { prefix: 'profiles_fts', columns: 'profile_id unindexed, headline, titles, skills, highlights' };

/** The table of a scope; IDs are ULID-based (`kb_01J…`), so letters and digits keep them apart. */
export function ftsTableOf(fts: ScopedFts, scopeId: string): string {
  return `${fts.prefix}_${scopeId.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
}

export async function ftsTableCreateIfMissing(trx: Db, fts: ScopedFts, scopeId: string): Promise<string> {
  const table = ftsTableOf(fts, scopeId);
  await sql`create virtual table if not exists ${sql.table(table)} using fts5(${sql.raw(fts.columns)}, tokenize = 'unicode61 remove_diacritics 2')`.execute(
    trx,
  );
  return table;
}

/** The scope's table, or null when nothing was ever indexed in it. */
export async function ftsTableIfExists(db: Db, fts: ScopedFts, scopeId: string): Promise<string | null> {
  const table = ftsTableOf(fts, scopeId);
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = ${table}`.execute(db);
  return rows.length > 0 ? table : null;
}

export async function ftsTableDrop(trx: Db, fts: ScopedFts, scopeId: string): Promise<void> {
  await sql`drop table if exists ${sql.table(ftsTableOf(fts, scopeId))}`.execute(trx);
}
