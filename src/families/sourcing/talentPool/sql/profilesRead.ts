/** Reads of the talent pool, always within one organisation: a foreign ID is not found. */
import type { Selectable } from 'kysely';
import type { Db } from '../../../../store/database.ts';
import type { ProfilesTable } from '../../../../store/schema.ts';

export type ProfileRow = Selectable<ProfilesTable>;

export async function profileGetForOrg(db: Db, orgId: string, id: string): Promise<ProfileRow | undefined> {
  return db.selectFrom('profiles').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

export async function profilesGetManyForOrg(db: Db, orgId: string, ids: string[]): Promise<ProfileRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('profiles').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Newest first (profile IDs are time-ordered). */
export async function profilesPageForOrg(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ profiles: ProfileRow[]; total: number }> {
  const [profiles, count] = await Promise.all([
    db.selectFrom('profiles').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('profiles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { profiles, total: Number(count.n) };
}
