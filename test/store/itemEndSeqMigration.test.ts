/**
 * Migration 0021 on both databases, and what it is for: a job whose events were all stored as
 * rows before it (as the engine wrote them before issue 31) replays them byte for byte, even
 * where its rows would derive them otherwise (an end event from before 0014 has no `canceled`),
 * and a job in flight across it answers its stored early events and its derived later ones.
 */
import { describe, expect, it } from 'vitest';
import { eventsAfter } from '../../src/engine/index.ts';
import type { Db } from '../../src/store/database.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import type { ItemStatus } from '../../src/store/schema.ts';
import { legacyJobRow, migrationTestStores } from '../helpers/migrationTests.ts';

const stores = migrationTestStores();

const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

async function itemInsert(db: Db, jobId: string, seq: number, status: ItemStatus, finishedAt: string | null, error: string | null = null): Promise<void> {
  await db
    .insertInto('job_items')
    .values({
      job_id: jobId,
      seq,
      key: `item-${seq}`,
      status,
      input: null,
      result: null,
      error_code: error,
      error_message: error && 'it broke',
      attempts: status === 'pending' ? 0 : 1,
      available_at: at(0),
      started_at: status === 'pending' ? null : at(1),
      finished_at: finishedAt,
    })
    .execute();
}

/** Events as the engine stored them before they were derived: in rows, each with its data as written. */
async function eventsInsert(db: Db, jobId: string, events: [number, string, unknown, string][]): Promise<void> {
  await db
    .insertInto('job_events')
    .values(events.map(([seq, type, data, createdAt]) => ({ job_id: jobId, seq, type, data: JSON.stringify(data), created_at: createdAt })))
    .execute();
}

const stream = async (db: Db, jobId: string, after = 0) =>
  (await eventsAfter(db, jobId, after)).map((e) => [e.seq, e.type, e.data, e.created_at] as [number, string, string, string]);

describe('migration 0021_item_end_seq', () => {
  it('replays the stored events of a job from before it, and mixes stored and derived events of a job in flight across it', async () => {
    const { store, migrator } = await stores.open();
    const db = store.db;
    expect((await migrator.migrateTo('0020_upload_storage')).error).toBeUndefined();
    const org = await orgCreate(db, 'acme');

    // Ended before 0021: every event a row, the end in its pre-0014 form (no `canceled`).
    await db
      .insertInto('jobs')
      .values(
        legacyJobRow('job_old', org.id, at(0), {
          status: 'completed',
          attempts: 1,
          items_total: 2,
          items_succeeded: 1,
          items_failed: 1,
          credits_charged: 1,
          last_event_seq: 6,
          started_at: at(1),
          completed_at: at(4),
        }),
      )
      .execute();
    await itemInsert(db, 'job_old', 0, 'succeeded', at(2));
    await itemInsert(db, 'job_old', 1, 'failed', at(3), 'BAD_INPUT');
    const old: [number, string, unknown, string][] = [
      [1, 'job.queued', { kind: 'sleep', items: 2, runAt: at(0) }, at(0)],
      [2, 'job.started', { attempt: 1 }, at(1)],
      [3, 'job.progress', { fraction: 0.5 }, at(1)],
      [4, 'item.succeeded', { key: 'item-0' }, at(2)],
      [5, 'item.failed', { key: 'item-1', errorCode: 'BAD_INPUT', errorMessage: 'it broke' }, at(3)],
      [6, 'job.completed', { status: 'completed', succeeded: 1, failed: 1, total: 2, creditsCharged: 1 }, at(4)],
    ];
    await eventsInsert(db, 'job_old', old);

    // Running across 0021: its first item ended before it (its event a row), its second after.
    await db
      .insertInto('jobs')
      .values(
        legacyJobRow('job_flight', org.id, at(0), { status: 'running', attempts: 1, items_total: 2, items_succeeded: 1, last_event_seq: 3, started_at: at(1) }),
      )
      .execute();
    await itemInsert(db, 'job_flight', 0, 'succeeded', at(2));
    await itemInsert(db, 'job_flight', 1, 'running', null);
    const flight: [number, string, unknown, string][] = [
      [1, 'job.queued', { kind: 'sleep', items: 2, runAt: at(0) }, at(0)],
      [2, 'job.started', { attempt: 1 }, at(1)],
      [3, 'item.succeeded', { key: 'item-0' }, at(2)],
    ];
    await eventsInsert(db, 'job_flight', flight);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const asStored = (events: [number, string, unknown, string][]) =>
      events.map(([seq, type, data, createdAt]) => [seq, type, JSON.stringify(data), createdAt]);
    expect(await stream(db, 'job_old')).toEqual(asStored(old));
    expect(await stream(db, 'job_old', 4)).toEqual(asStored(old.slice(4)));
    expect(await stream(db, 'job_old', 6)).toEqual([]);
    expect(await stream(db, 'job_flight')).toEqual(asStored(flight));

    // Its second item and the job end as the engine now records them: numbers on the rows only.
    await db
      .updateTable('job_items')
      .set({ status: 'succeeded', finished_at: at(5), end_seq: 4 })
      .where('job_id', '=', 'job_flight')
      .where('seq', '=', 1)
      .execute();
    await db
      .updateTable('jobs')
      .set({ status: 'completed', items_succeeded: 2, last_event_seq: 5, completed_at: at(5) })
      .where('id', '=', 'job_flight')
      .execute();
    const end = { status: 'completed', succeeded: 2, failed: 0, total: 2, canceled: 0, creditsCharged: 0 };
    expect(await stream(db, 'job_flight', 2)).toEqual(
      asStored([flight[2]!, [4, 'item.succeeded', { key: 'item-1' }, at(5)], [5, 'job.completed', end, at(5)]]),
    );

    expect((await migrator.migrateTo('0020_upload_storage')).error).toBeUndefined();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });
});
