/**
 * The `item.retrying` event: a retry's put-back stores one event row in its transaction, numbered
 * from the job's counter like every other event, with the attempt that failed, its error (the
 * message cut at `RETRYING_MESSAGE_MAX`) and when the item runs again. An abandoned item, or a
 * worker that lost its lease, writes no event.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { itemCheckpoints, type CheckpointArgs, type ItemOutcome } from '../../src/engine/sql/itemCheckpoint.ts';
import { RETRYING_MESSAGE_MAX } from '../../src/engine/sql/itemRetryingEvent.ts';
import { jobsClaim } from '../../src/engine/sql/jobsClaim.ts';
import { eventsOf, itemsOf, jobRow, startTestEngine, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine;
afterEach(() => t?.close());

const single = defineKind<{ n: number }>({
  name: 'single',
  creditsPerItem: 1,
  items: () => [{ key: 'only', input: null }],
  async process() {
    return 'done';
  },
});

const OWNER = 'test-worker';

/** A submitted one-item job, claimed by `OWNER` with its item started; checkpoints its item with `outcome` as `owner`. */
async function claimedJob() {
  const org = await t.org('acme', 10);
  const submitted = await t.engine.submit({ orgId: org.id, kind: single, input: { n: 1 } });
  const claim = await jobsClaim(t.store.db, { owner: OWNER, leaseMs: 60_000, limit: 1, orgConcurrency: 1 });
  const { job, item } = claim.jobs[0]!;
  const checkpoint = (outcome: ItemOutcome, owner = OWNER) => {
    const args: CheckpointArgs = { job, kind: single, seq: item!.seq, key: item!.key, outcome, startNext: false };
    return t.store.db.transaction().execute((trx) => itemCheckpoints(trx, [args], { owner, hooks: [] }));
  };
  return { id: submitted.id, checkpoint };
}

describe('item.retrying', () => {
  it('is stored with the put-back, numbered after the job’s events, with the attempt, the error and the retry time', async () => {
    t = await startTestEngine([single], {}, false);
    const { id, checkpoint } = await claimedJob();
    const long = 'x'.repeat(RETRYING_MESSAGE_MAX + 500);
    expect(await checkpoint({ type: 'retry', code: 'UPSTREAM_BUSY', message: long, delayMs: 60_000 })).toEqual([
      { leaseLost: false, finished: null, next: null },
    ]);

    const [item] = await itemsOf(t.store, id);
    expect([item!.status, item!.attempts, item!.error_message]).toEqual(['pending', 1, long]);
    const events = await eventsOf(t.store, id);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'job.queued'],
      [2, 'job.started'],
      [3, 'item.retrying'],
    ]);
    const data = events[2]!.data;
    expect(Object.keys(data)).toEqual(['key', 'attempt', 'errorCode', 'errorMessage', 'retryAt']);
    expect(data).toMatchObject({ key: 'only', attempt: 1, errorCode: 'UPSTREAM_BUSY', retryAt: item!.available_at });
    expect(data.errorMessage).toBe(`${'x'.repeat(RETRYING_MESSAGE_MAX - 1)}…`);
    expect((await jobRow(t.store, id)).last_event_seq).toBe(3);
    const stored = await t.store.db.selectFrom('job_events').select(['seq', 'type']).where('job_id', '=', id).execute();
    expect(stored).toEqual([{ seq: 3, type: 'item.retrying' }]);
  });

  it('is not written for an abandoned item, nor by a worker that lost its lease', async () => {
    t = await startTestEngine([single], {}, false);
    const { id, checkpoint } = await claimedJob();
    const retry: ItemOutcome = { type: 'retry', code: 'UPSTREAM_BUSY', message: 'busy', delayMs: 0 };
    expect(await checkpoint(retry, 'another-worker')).toEqual([{ leaseLost: true }]);
    expect(await checkpoint({ type: 'abandoned' })).toEqual([{ leaseLost: false, finished: null, next: null }]);
    expect((await eventsOf(t.store, id)).map((e) => e.type)).toEqual(['job.queued', 'job.started']);
    expect((await jobRow(t.store, id)).last_event_seq).toBe(2);
  });
});
