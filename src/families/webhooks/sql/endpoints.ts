/** Webhook endpoints, always within one organisation: a foreign ID is not found. */
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../../../store/database.ts';
import type { WebhookEndpointsTable } from '../../../store/schema.ts';
import { subscribes } from '../events.ts';

export type EndpointRow = Selectable<WebhookEndpointsTable>;

export async function endpointInsert(db: Db, row: EndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function endpointGetForOrg(db: Db, orgId: string, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
}

/** Any organisation's endpoint: only for telling "another organisation's" from "no such endpoint". */
export async function endpointGetAnyOrg(db: Db, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function endpointsPageForOrg(
  db: Db,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<{ endpoints: EndpointRow[]; total: number }> {
  const [endpoints, count] = await Promise.all([
    db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return { endpoints, total: Number(count.n) };
}

export async function endpointUpdate(db: Db, id: string, changes: Updateable<WebhookEndpointsTable>): Promise<EndpointRow> {
  return db.updateTable('webhook_endpoints').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function endpointDeleteForOrg(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).where('org_id', '=', orgId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The organisation's enabled endpoints that subscribe to `type`. */
export async function endpointsSubscribed(db: Db, orgId: string, type: string): Promise<EndpointRow[]> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('enabled', '=', 1).execute();
  return rows.filter((r) => subscribes(JSON.parse(r.events) as string[], type));
}

/**
 * Counts a delivery that finally failed; at `threshold` failures in a row the endpoint is
 * disabled (circuit open). Returns true when this call disabled it.
 */
export async function endpointFailureCount(db: Db, id: string, threshold: number, now: string): Promise<boolean> {
  const row = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .returning(['consecutive_failures', 'enabled'])
    .executeTakeFirst();
  if (!row || row.enabled !== 1 || row.consecutive_failures < threshold) return false;
  await endpointDisable(db, id, `${row.consecutive_failures} deliveries in a row failed.`, now);
  return true;
}

export async function endpointDisable(db: Db, id: string, reason: string, now: string): Promise<void> {
  await db.updateTable('webhook_endpoints').set({ enabled: 0, disabled_reason: reason, disabled_at: now, updated_at: now }).where('id', '=', id).execute();
}

export async function endpointSucceeded(db: Db, id: string, now: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ consecutive_failures: 0, updated_at: now })
    .where('id', '=', id)
    .where('consecutive_failures', '>', 0)
    .execute();
}
