/**
 * The claim's locks on SQLite: none to take. Transactions begin IMMEDIATE (dialect.ts), so a
 * claim holds the database's one write lock, and with it every organisation's turn and every
 * row it selects.
 */
import type { SelectQueryBuilder } from 'kysely';

export async function orgTurnTake(): Promise<boolean> {
  return true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function claimLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB {
  return query;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rowLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB {
  return query;
}
