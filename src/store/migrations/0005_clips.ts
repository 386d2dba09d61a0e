/** Clips (uploaded videos), their candidate segments, their captions and their render jobs. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // How far the running item of a job has come, 0…1, when its kind reports it (ffmpeg renders).
  await db.schema.alterTable('jobs').addColumn('progress', 'real').execute();

  // Server-wide values every process must share, e.g. the key that signs render URLs.
  await db.schema
    .createTable('server_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('clips')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('uploading', 'processing', 'ready', 'rendering', 'rendered', 'failed')`))
    .addColumn('error', 'text')
    // Relative to the clips directory.
    .addColumn('source_path', 'text')
    .addColumn('file_size', 'bigint')
    .addColumn('duration_ms', 'integer')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('video_codec', 'text')
    .addColumn('audio_codec', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clips_org').on('clips').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('clip_candidates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id').onDelete('cascade'))
    .addColumn('start_ms', 'integer', (c) => c.notNull())
    .addColumn('end_ms', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('score', 'integer')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('detected', 'user')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clip_candidates_clip').on('clip_candidates').columns(['clip_id', 'start_ms']).execute();

  await db.schema
    .createTable('clip_captions')
    .addColumn('clip_id', 'text', (c) => c.primaryKey().references('clips.id').onDelete('cascade'))
    .addColumn('format', 'text', (c) => c.notNull())
    // JSON array of {startMs, endMs, text}.
    .addColumn('cues', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Resumable uploads in progress: parts arrive one by one, each checked by size and SHA-256.
  await db.schema
    .createTable('clip_uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('part_size', 'integer', (c) => c.notNull())
    // JSON object: part number → SHA-256 (hex) of the part received.
    .addColumn('parts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clip_uploads_expires').on('clip_uploads').column('expires_at').execute();

  await db.schema
    .createTable('clip_renders')
    .addColumn('job_id', 'text', (c) => c.primaryKey().references('jobs.id').onDelete('cascade'))
    .addColumn('clip_id', 'text', (c) => c.notNull().references('clips.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('candidate_id', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('captions', 'integer', (c) => c.notNull())
    // Relative to the clips directory; set once the render succeeded.
    .addColumn('output_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clip_renders_clip').on('clip_renders').columns(['clip_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['clip_renders', 'clip_uploads', 'clip_captions', 'clip_candidates', 'clips', 'server_settings'])
    await db.schema.dropTable(table).execute();
  await db.schema.alterTable('jobs').dropColumn('progress').execute();
}
