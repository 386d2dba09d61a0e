/** Knowledge-base rows, always within one organisation: another organisation's ID is not found. */
import type { Selectable } from 'kysely';
import type { Db } from '../../../../store/database.ts';
import type { KbsTable } from '../../../../store/schema.ts';

export type KbRow = Selectable<KbsTable>;

export async function kbFindForOrg(db: Db, orgId: string, kbId: string): Promise<KbRow | undefined> {
  return db.selectFrom('kbs').selectAll().where('id', '=', kbId).where('org_id', '=', orgId).executeTakeFirst();
}
