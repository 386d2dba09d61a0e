/** Clips and their candidates, always within one organisation: a foreign ID is not found. */
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { ClipCandidatesTable, ClipsTable } from '../../../store/schema.ts';

export type ClipRow = Selectable<ClipsTable>;
export type CandidateRow = Selectable<ClipCandidatesTable>;

export async function clipInsert(db: Db, row: ClipRow): Promise<void> {
  await db.insertInto('clips').values(row).execute();
}

export async function clipGet(db: Db, id: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function clipGetForOrg(db: Db, orgId: string, id: string): Promise<ClipRow | undefined> {
  return db.selectFrom('clips').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

export async function clipsPageForOrg(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ clips: ClipRow[]; total: number }> {
  const [clips, count] = await Promise.all([
    db.selectFrom('clips').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('clips')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { clips, total: Number(count.n) };
}

export async function clipUpdate(db: Db, id: string, changes: Updateable<ClipsTable>): Promise<void> {
  await db.updateTable('clips').set(changes).where('id', '=', id).execute();
}

export async function clipDelete(db: Db, id: string): Promise<void> {
  await db.deleteFrom('clips').where('id', '=', id).execute();
}

export async function candidatesOf(db: Db, clipIds: string[]): Promise<CandidateRow[]> {
  if (clipIds.length === 0) return [];
  return db.selectFrom('clip_candidates').selectAll().where('clip_id', 'in', clipIds).orderBy('start_ms').orderBy('id').execute();
}

export async function candidateGet(db: Db, clipId: string, id: string): Promise<CandidateRow | undefined> {
  return db.selectFrom('clip_candidates').selectAll().where('clip_id', '=', clipId).where('id', '=', id).executeTakeFirst();
}

/** Replaces the detected candidates of a clip (user-made ones stay). */
export async function candidatesReplaceDetected(db: Db, clipId: string, rows: CandidateRow[]): Promise<void> {
  await db.deleteFrom('clip_candidates').where('clip_id', '=', clipId).where('source', '=', 'detected').execute();
  if (rows.length > 0) await db.insertInto('clip_candidates').values(rows).execute();
}

export async function candidateInsert(db: Db, row: CandidateRow): Promise<void> {
  await db.insertInto('clip_candidates').values(row).execute();
}
