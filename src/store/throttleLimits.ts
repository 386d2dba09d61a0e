/**
 * Operators' throttle limits per organisation and kind (`longrun throttle`): the rows the engine
 * reads (src/engine/throttle.ts) and the CLI writes. A row wins over the kind's default.
 */
import type { Db } from './database.ts';
import type { ThrottleLimitsTable } from './schema.ts';

export type ThrottleLimitRow = ThrottleLimitsTable;

/** Sets (or replaces) one organisation's limit on a kind. */
export async function throttleLimitSet(db: Db, row: ThrottleLimitRow): Promise<void> {
  await db
    .insertInto('throttle_limits')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'kind']).doUpdateSet({ items: row.items, interval_ms: row.interval_ms, updated_at: row.updated_at }))
    .execute();
}

/** Removes an organisation's limit on `kind` (every kind without one); how many were removed. */
export async function throttleLimitClear(db: Db, orgId: string, kind?: string): Promise<number> {
  let query = db.deleteFrom('throttle_limits').where('org_id', '=', orgId);
  if (kind !== undefined) query = query.where('kind', '=', kind);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** Every limit (of one organisation), by organisation and kind. */
export async function throttleLimitsList(db: Db, orgId?: string): Promise<ThrottleLimitRow[]> {
  let query = db.selectFrom('throttle_limits').selectAll();
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.orderBy('org_id').orderBy('kind').execute();
}
