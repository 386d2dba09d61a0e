/**
 * Deletes a profile with its identities, its search entry, and its place in past sourcing runs
 * (so it can no longer be enriched). Results already computed by finished runs are kept as
 * they were: they are the record of what those runs returned.
 */
import type { Db } from '../../../../store/database.ts';
import { profileSearchIndexDelete } from './profileSearchIndex.ts';

/** False when the organisation has no such profile. */
export async function profileDeleteForOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('profiles').select(['id', 'org_id', 'search_rowid']).where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
    if (!row) return false;
    await profileSearchIndexDelete(trx, row);
    await trx.deleteFrom('profiles').where('id', '=', id).execute(); // identities and run rows cascade
    return true;
  });
}
