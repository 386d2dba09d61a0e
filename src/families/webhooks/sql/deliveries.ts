/** Webhook deliveries: the outbox rows and the delivery log. */
import type { Selectable, Updateable } from 'kysely';
import { nowIso } from '../../../ids.ts';
import { inTransaction, type Db } from '../../../store/database.ts';
import type { WebhookDeliveriesTable, WebhookDeliveryAttemptsTable } from '../../../store/schema.ts';

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
export async function deliveriesPageForEndpoint(
  db: Db,
  endpointId: string,
  page: { limit: number; offset: number },
): Promise<{ deliveries: DeliveryRow[]; total: number }> {
  const [deliveries, count] = await Promise.all([
    db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirstOrThrow(),
  ]);
  return { deliveries, total: Number(count.n) };
}

export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Records one attempt: one more attempt counted on the delivery, and its line in the history. */
export async function deliveryRecordAttempt(db: Db, id: string, attempt: AttemptOutcome, changes: Updateable<WebhookDeliveriesTable>): Promise<void> {
  const now = nowIso();
  await inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({ ...changes, last_status_code: attempt.statusCode, last_error: attempt.error, updated_at: now, attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .returning('attempts')
      .executeTakeFirst();
    if (!row) return;
    await trx
      .insertInto('webhook_delivery_attempts')
      .values({ delivery_id: id, attempt: row.attempts, at: now, status_code: attempt.statusCode, error: attempt.error, duration_ms: attempt.durationMs })
      .execute();
  });
}

export type AttemptRow = Selectable<WebhookDeliveryAttemptsTable>;

/** The attempts of the given deliveries, in order. */
export async function deliveryAttemptsOf(db: Db, ids: string[]): Promise<AttemptRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', ids).orderBy('delivery_id').orderBy('attempt').execute();
}

export async function deliveryUpdate(db: Db, id: string, changes: Updateable<WebhookDeliveriesTable>): Promise<void> {
  await db.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute();
}

/** Retention: deliveries that ended before `before` go, with their attempts. Pending ones stay. */
export async function deliveriesDeleteEndedBefore(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('updated_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * A sender's hold on its delivery, taken just before it sends: the row, if `jobId` is still the
 * delivery's sender; undefined if the delivery is gone or another sender replaced this one.
 * A write (of the value it already has), so it waits for a hand-over in progress (see
 * `deliveryHandOver`) and sees its outcome.
 */
export async function deliveryTakeForSend(db: Db, id: string, jobId: string): Promise<DeliveryRow | undefined> {
  return db.updateTable('webhook_deliveries').set({ job_id: jobId }).where('id', '=', id).where('job_id', '=', jobId).returningAll().executeTakeFirst();
}

/**
 * Gives a delivery to a new sender job `to` in place of its current one, `from` (null: none),
 * unless `from` is sending it at this moment. Inside the caller's transaction.
 *
 * Guarantee: two sends of one delivery never overlap. The delivery row is written first, which
 * locks it; a sender marks its item running before it takes the row (`deliveryTakeForSend`), so
 * either the look at `from`'s item below sees that item running (answer `sending`: the caller
 * rolls back), or the sender's take waits for this transaction and finds itself replaced.
 * `changed`: the delivery's sender is no longer `from` (another hand-over came first).
 */
export async function deliveryHandOver(trx: Db, id: string, from: string | null, to: string, now: string): Promise<'handed' | 'sending' | 'changed'> {
  const moved = await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', job_id: to, next_attempt_at: now, updated_at: now })
    .where('id', '=', id)
    .where((eb) => (from === null ? eb('job_id', 'is', null) : eb('job_id', '=', from)))
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return 'changed';
  if (from === null) return 'handed';
  const sending = await trx.selectFrom('job_items').select('seq').where('job_id', '=', from).where('status', '=', 'running').executeTakeFirst();
  return sending ? 'sending' : 'handed';
}
