/**
 * First start: an empty database gets a default organisation, its starting credits and one API
 * key, so a new user holds a working key after `npm start`. Later starts find an organisation
 * and do nothing, so the key is printed exactly once.
 */
import { apiKeyCreate } from '../auth/apiKeys.ts';
import { creditsGrant } from '../store/ledger.ts';
import type { Db } from '../store/database.ts';
import { isUniqueViolation } from '../store/dialect.ts';
import { orgCreate } from '../store/orgs.ts';

export const DEFAULT_ORG_NAME = 'default';

/** Returns the new key, or null when the database already had an organisation. */
export async function ensureDefaultOrganisation(db: Db, initialCredits: number): Promise<string | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
      if (existing) return null;
      const org = await orgCreate(trx, DEFAULT_ORG_NAME);
      if (initialCredits > 0) await creditsGrant(trx, org.id, initialCredits, 'starting credits');
      const { key } = await apiKeyCreate(trx, { orgId: org.id, name: 'first key' });
      return key;
    });
  } catch (error) {
    // Another process created it at the same moment: it prints the key, not us.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}
