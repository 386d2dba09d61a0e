/**
 * `rowsInsert` (src/store/dialect.ts): every row lands exactly once, with its values and types,
 * whatever the count (SQLite writes chunks of 64, 32, … 1 rows; PostgreSQL one statement).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { rowsInsert } from '../../src/store/dialect.ts';
import type { Store } from '../../src/store/database.ts';
import { EVENT_COLUMNS } from '../../src/store/jobRows.ts';
import { startTestEngine, type TestEngine } from '../helpers/testEngine.ts';

const idle = defineKind<Record<string, never>>({ name: 'idle', async process() {} });
let t: TestEngine;
let store: Store;
let orgId: string;
beforeAll(async () => {
  t = await startTestEngine([idle], {}, false); // not started: the jobs stay queued, their events untouched
  store = t.store;
  orgId = (await t.org('rows', 0)).id;
});
afterAll(() => t.close());

/** A job for the events to belong to (SQLite checks job_events' key). */
const jobInsertForTest = async () => (await t.engine.submit({ orgId, kind: idle, input: {} })).id;

describe('rowsInsert', () => {
  for (const count of [1, 3, 64, 200]) {
    it(`inserts ${count} rows, each once, values and types kept`, async () => {
      const jobId = await jobInsertForTest();
      const rows = Array.from({ length: count }, (_, i) => ({
        job_id: jobId,
        seq: 100 + i,
        type: 'job.progress',
        data: JSON.stringify({ i, text: `it's "row" ${i}` }),
        created_at: `2026-12-03T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
      }));
      await store.db.transaction().execute((trx) => rowsInsert(trx, 'job_events', EVENT_COLUMNS, rows));
      const stored = await store.db.selectFrom('job_events').selectAll().where('job_id', '=', jobId).where('seq', '>=', 100).orderBy('seq').execute();
      expect(stored).toEqual(rows);
      expect(stored.every((row) => Number.isInteger(row.seq))).toBe(true);
    });
  }

  it('inserts nothing for no rows', async () => {
    const count = async () =>
      Number(
        (
          await store.db
            .selectFrom('job_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const none: { job_id: string; seq: number; type: string; data: string; created_at: string }[] = [];
    await rowsInsert(store.db, 'job_events', EVENT_COLUMNS, none);
    expect(await count()).toBe(before);
  });
});
