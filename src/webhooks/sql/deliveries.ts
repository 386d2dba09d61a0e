/** Webhook deliveries: the outbox rows and the delivery log. */
import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { WebhookDeliveriesTable } from '../../store/schema.ts';

export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

export async function deliveryInsert(db: Db, row: DeliveryRow): Promise<void> {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

export async function deliveryGet(db: Db, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deliveryGetForEndpoint(db: Db, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).where('endpoint_id', '=', endpointId).executeTakeFirst();
}

/** Newest first. */
export async function deliveriesPageForEndpoint(db: Db, endpointId: string, page: { limit: number; offset: number }): Promise<{ deliveries: DeliveryRow[]; total: number }> {
  const [deliveries, count] = await Promise.all([
    db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('endpoint_id', '=', endpointId).executeTakeFirstOrThrow(),
  ]);
  return { deliveries, total: Number(count.n) };
}

/** Records one attempt's outcome (one more attempt counted). */
export async function deliveryRecordAttempt(db: Db, id: string, changes: Updateable<WebhookDeliveriesTable>): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ ...changes, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

export async function deliveryUpdate(db: Db, id: string, changes: Updateable<WebhookDeliveriesTable>): Promise<void> {
  await db.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute();
}
