/** Organisations: the tenants. Nothing of one is ever visible to another. */
import type { Selectable } from 'kysely';
import { newId, nowIso } from '../ids.ts';
import { inTransaction, type Db } from './database.ts';
import type { OrganisationsTable } from './schema.ts';

export type Organisation = Selectable<OrganisationsTable>;

/** Creates an organisation and its (empty) credit account together. */
export async function orgCreate(db: Db, name: string): Promise<Organisation> {
  const org: Organisation = { id: newId('org'), name, created_at: nowIso() };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('organisations').values(org).execute();
    await trx.insertInto('credit_accounts').values({ org_id: org.id, available: 0, reserved: 0, updated_at: org.created_at }).execute();
  });
  return org;
}

/** Finds an organisation by its ID or, failing that, by its name. */
export async function orgFindByIdOrName(db: Db, idOrName: string): Promise<Organisation | undefined> {
  return db
    .selectFrom('organisations')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function orgFindById(db: Db, id: string): Promise<Organisation | undefined> {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function orgList(db: Db): Promise<Organisation[]> {
  return db.selectFrom('organisations').selectAll().orderBy('created_at').orderBy('id').execute();
}
