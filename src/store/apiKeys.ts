/** API key rows. Only a hash of each key's secret is stored; see `auth/apiKeys.ts`. */
import type { Selectable } from 'kysely';
import { compiledOnce } from './compiledOnce.ts';
import type { Db } from './database.ts';
import type { ApiKeysTable } from './schema.ts';

export type ApiKeyRow = Selectable<ApiKeysTable>;

export async function apiKeyInsert(db: Db, row: ApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/** Every authenticated request reads its key: compiled once (see `compiledOnce`). */
const keyById = compiledOnce((db: Db, id: string) => db.selectFrom('api_keys').selectAll().where('id', '=', id));

export async function apiKeyFindById(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return (await keyById(db, id))[0];
}

export async function apiKeyList(db: Db, orgId?: string): Promise<ApiKeyRow[]> {
  let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
  if (orgId) query = query.where('org_id', '=', orgId);
  return query.execute();
}

/** One organisation's keys, newest first, revoked ones too, with how many it has. */
export async function apiKeyPageForOrg(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ keys: ApiKeyRow[]; total: number }> {
  const [keys, count] = await Promise.all([
    db
      .selectFrom('api_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { keys, total: Number(count.n) };
}

/** Revokes a key; returns false when there is no such key or it was already revoked. */
export async function apiKeyRevokeIfActive(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function apiKeyTouch(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
