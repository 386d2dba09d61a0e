/** Knowledge bases, their documents and the passages (chunks) searched for ideas and agents. */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kbs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kbs_org').on('kbs').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('kb_docs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kb_id', 'text', (c) => c.notNull().references('kbs.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('processing', 'indexed', 'failed')`))
    .addColumn('error', 'text')
    // The uploaded bytes while they wait to be ingested (base64); cleared once indexed.
    .addColumn('source', 'text')
    .addColumn('chunks', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_docs_kb').on('kb_docs').columns(['kb_id', 'id']).execute();

  await db.schema
    .createTable('kb_chunks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc_id', 'text', (c) => c.notNull().references('kb_docs.id').onDelete('cascade'))
    .addColumn('kb_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('heading', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    // SQLite only: the chunk's row in kb_chunks_fts.
    .addColumn('search_rowid', 'integer')
    .execute();
  await db.schema.createIndex('kb_chunks_doc').on('kb_chunks').columns(['doc_id', 'seq']).execute();

  if (dialectOf(db) === 'sqlite') {
    await sql`create virtual table kb_chunks_fts using fts5(chunk_id unindexed, kb_id, heading, content, tokenize = 'unicode61 remove_diacritics 2')`.execute(
      db,
    );
  } else {
    await db.schema
      .createTable('kb_chunks_fts')
      .addColumn('chunk_id', 'text', (c) => c.primaryKey().references('kb_chunks.id').onDelete('cascade'))
      .addColumn('kb_id', 'text', (c) => c.notNull())
      .addColumn('document', sql`tsvector`, (c) => c.notNull())
      .execute();
    await sql`create index kb_chunks_fts_document on kb_chunks_fts using gin (document)`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['kb_chunks_fts', 'kb_chunks', 'kb_docs', 'kbs']) await db.schema.dropTable(table).execute();
}
