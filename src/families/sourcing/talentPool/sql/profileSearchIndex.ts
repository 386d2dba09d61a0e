/**
 * Keeps a profile's full-text entry in step with the profile, in the caller's transaction (how
 * each database indexes it: the store's drivers, profileSearch.ts).
 */
import type { Db } from '../../../../store/database.ts';
import { driverOf, type IndexedProfile } from '../../../../store/driver.ts';
import type { SearchDocument } from '../searchDocument.ts';

export async function profileSearchIndexPut(trx: Db, profile: IndexedProfile, doc: SearchDocument): Promise<void> {
  await driverOf(trx).profileIndexPut(trx, profile, doc);
}

export async function profileSearchIndexDelete(trx: Db, profile: IndexedProfile): Promise<void> {
  await driverOf(trx).profileIndexDelete(trx, profile);
}
