/**
 * The claim's locks on PostgreSQL. Claims for one organisation take turns on its
 * `engine_org_turns` row, so two claimers cannot both count N-1 running jobs and both start one
 * (found by the suite's PostgreSQL pass). The jobs a claim selects are locked `FOR UPDATE SKIP
 * LOCKED`, so concurrent claimers pass over each other's rows instead of queueing on them.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../schema.ts';

export async function orgTurnTake(trx: Kysely<Database>, orgId: string, wait: boolean): Promise<boolean> {
  const query = trx.selectFrom('engine_org_turns').select('org_id').where('org_id', '=', orgId);
  return (await (wait ? query.forUpdate() : query.forUpdate().skipLocked()).executeTakeFirst()) !== undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function claimLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB {
  return query.forUpdate().skipLocked() as QB;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function rowLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB, wait: boolean): QB {
  return (wait ? query.forUpdate() : query.forUpdate().skipLocked()) as QB;
}
