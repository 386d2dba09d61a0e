/**
 * A job's event stream reads, at each change of the job, the items whose end event came after the
 * last one it sent. On a big job that read goes by the `job_items_ended` index (migration 0025)
 * to the few items in that range, on both databases, instead of walking every item of the job:
 * following a job of n items would otherwise cost n² row reads.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { defineKind, eventsAfter } from '../../src/engine/index.ts';
import { itemsEndedBetween } from '../../src/engine/sql/jobsRead.ts';
import { startTestEngine, type TestEngine } from '../helpers/testEngine.ts';

const ITEMS = 5000;
const many = defineKind<{ n: number }>({
  name: 'many',
  items: ({ n }) => Array.from({ length: n }, (_, i) => ({ key: `item-${i}` })),
  process: async () => null,
});

let t: TestEngine;
afterEach(() => t?.close());

describe("reading a big job's events after a point", () => {
  it('reads the items that ended in that range by their index, not every item of the job', async () => {
    t = await startTestEngine([many], {}, false);
    const org = await t.org('big');
    const job = await t.engine.submit({ orgId: org.id, kind: many, input: { n: ITEMS } });
    // Every item ended, in order, each with its own event number after job.started's (2).
    const { db } = t.store;
    await sql`update job_items set status = 'succeeded', end_seq = seq + 3, finished_at = available_at where job_id = ${job.id}`.execute(db);
    const { last } = await db
      .selectFrom('job_items')
      .select((eb) => eb.fn.max('end_seq').as('last'))
      .where('job_id', '=', job.id)
      .executeTakeFirstOrThrow();
    await sql`update jobs set last_event_seq = ${last} where id = ${job.id}`.execute(db);
    await sql`analyze`.execute(db);

    // The read a stream makes after the second-to-last item's event: the last item's.
    const events = await eventsAfter(db, job.id, last! - 1);
    expect(events.map((e) => [e.seq, e.type, JSON.parse(e.data).key])).toEqual([[last, 'item.succeeded', `item-${ITEMS - 1}`]]);

    const query = itemsEndedBetween(db, job.id, last! - 1, last!).compile();
    // The same statement, parameters and all, under EXPLAIN.
    const explain = t.store.dialect === 'postgres' ? 'explain' : 'explain query plan';
    const { rows } = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${explain} ${query.sql}`, [...query.parameters]));
    const plan = rows.map((row) => row['QUERY PLAN'] ?? row.detail);
    expect(plan.join('\n')).toContain('job_items_ended');
  });
});
