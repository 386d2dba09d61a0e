/**
 * A resumable upload names where it is going from its start: `storage_key` (the clip source's
 * key, its clip id chosen then) and `storage_upload_id` (the storage driver's handle: an S3
 * multipart upload id, or the upload's own id for the file driver), and `part_tags` (JSON: part
 * number → the tag the storage gave it, an S3 ETag, which completion names). Rows from before
 * have none; they were file-driver uploads and finish as they began (parts under `.uploads/<id>`).
 * `part_tags` is `jsonb` on PostgreSQL, as `parts` (0017).
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clip_uploads').addColumn('storage_key', 'text').execute();
  await db.schema.alterTable('clip_uploads').addColumn('storage_upload_id', 'text').execute();
  await db.schema
    .alterTable('clip_uploads')
    .addColumn('part_tags', dialectOf(db) === 'postgres' ? 'jsonb' : 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clip_uploads').dropColumn('part_tags').execute();
  await db.schema.alterTable('clip_uploads').dropColumn('storage_upload_id').execute();
  await db.schema.alterTable('clip_uploads').dropColumn('storage_key').execute();
}
