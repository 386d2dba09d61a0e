/**
 * The checkpoint of an item its worker counts as its job's last: the count and the job's end
 * are one update (`jobsCountAndComplete`), checked against the job's own counts and lease, so a
 * worker's wrong count or a lost lease never ends a job early or writes anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { creditsBalance, creditsChargeMany } from '../../src/store/ledger.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { itemCheckpoints, type CheckpointArgs } from '../../src/engine/sql/itemCheckpoint.ts';
import { itemStartNext } from '../../src/engine/sql/itemStartNext.ts';
import { jobsClaim, type HeldJob } from '../../src/engine/sql/jobsClaim.ts';
import { nowIso } from '../../src/ids.ts';
import { eventsOf, itemsOf, jobRow, startTestEngine, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine;
afterEach(() => t?.close());

const pair = defineKind<{ n: number }>({
  name: 'pair',
  creditsPerItem: 1,
  items: () => [
    { key: 'a', input: null },
    { key: 'b', input: null },
  ],
  async process() {
    return 'done';
  },
});

const OWNER = 'test-worker';

/** A submitted two-item job, claimed by `OWNER` with its first item started. */
async function claimedJob() {
  const org = await t.org('acme', 10);
  const submitted = await t.engine.submit({ orgId: org.id, kind: pair, input: { n: 1 } });
  const claim = await jobsClaim(t.store.db, { owner: OWNER, leaseMs: 60_000, limit: 1, orgConcurrency: 1 });
  expect(claim.jobs.map((c) => c.job.id)).toEqual([submitted.id]);
  const { job, item } = claim.jobs[0]!;
  return { org, job, first: item! };
}

const succeeded = (job: HeldJob, key: string, seq: number, last: boolean): CheckpointArgs => ({
  job,
  kind: pair,
  seq,
  key,
  outcome: { type: 'succeeded', result: `result of ${key}` },
  startNext: false,
  last,
});

describe('the checkpoint of a job’s last item', () => {
  it('counts the item and completes the job in one update, with the item’s event before the end’s', async () => {
    t = await startTestEngine([pair], {}, false);
    const { org, job, first } = await claimedJob();

    // The worker wrongly counts the first item as the last: counted, but the job goes on.
    const [early] = await t.store.db
      .transaction()
      .execute((trx) => itemCheckpoints(trx, [succeeded(job, first.key, first.seq, true)], { owner: OWNER, hooks: [] }));
    expect(early).toEqual({ leaseLost: false, finished: null, next: null });
    let row = await jobRow(t.store, job.id);
    expect([row.status, row.items_succeeded, row.credits_charged, row.lease_owner]).toEqual(['running', 1, 1, OWNER]);

    const next = await itemStartNext(t.store.db, job.id, OWNER, nowIso());
    if (!('item' in next)) throw new Error(`no next item: ${JSON.stringify(next)}`);
    const [end] = await t.store.db
      .transaction()
      .execute((trx) => itemCheckpoints(trx, [succeeded(job, next.item.key, next.item.seq, true)], { owner: OWNER, hooks: [] }));
    if (end!.leaseLost || !end!.finished) throw new Error(`the job did not end: ${JSON.stringify(end)}`);
    expect(end!.finished.status).toBe('completed');

    row = await jobRow(t.store, job.id);
    expect([row.status, row.items_succeeded, row.items_failed, row.credits_charged]).toEqual(['completed', 2, 0, 2]);
    expect([row.lease_owner, row.available_at, row.completed_at === null]).toEqual([null, null, false]);
    expect((await itemsOf(t.store, job.id)).map((i) => [i.key, i.status, i.result])).toEqual([
      ['a', 'succeeded', '"result of a"'],
      ['b', 'succeeded', '"result of b"'],
    ]);
    const events = await eventsOf(t.store, job.id);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'job.queued'],
      [2, 'job.started'],
      [3, 'item.succeeded'],
      [4, 'item.succeeded'],
      [5, 'job.completed'],
    ]);
    expect(events[4]!.data).toMatchObject({ succeeded: 2, failed: 0, total: 2, creditsCharged: 2 });
    expect(row.last_event_seq).toBe(5);
    // Two credits charged, nothing left reserved; the organisation has no unfinished job.
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 8, reserved: 0 });
    const turns = await t.store.db.selectFrom('engine_org_turns').select('active_jobs').where('org_id', '=', org.id).executeTakeFirstOrThrow();
    expect(turns.active_jobs).toBe(0);
  });

  it('writes nothing for a worker that lost the lease', async () => {
    t = await startTestEngine([pair], {}, false);
    const { job, first } = await claimedJob();
    const stranger = { ...job, items_succeeded: 1 };
    const [result] = await t.store.db
      .transaction()
      .execute((trx) => itemCheckpoints(trx, [succeeded(stranger, first.key, first.seq, true)], { owner: 'another-worker', hooks: [] }));
    expect(result).toEqual({ leaseLost: true });
    const row = await jobRow(t.store, job.id);
    expect([row.status, row.items_succeeded, row.credits_charged, row.lease_owner]).toEqual(['running', 0, 0, OWNER]);
    expect((await itemsOf(t.store, job.id)).map((i) => i.status)).toEqual(['running', 'pending']);
  });

  it('does not charge a last item charged before, and the end says what the job was charged', async () => {
    t = await startTestEngine([pair], {}, false);
    const { org, job, first } = await claimedJob();
    await t.store.db.transaction().execute((trx) => itemCheckpoints(trx, [succeeded(job, first.key, first.seq, false)], { owner: OWNER, hooks: [] }));
    const next = await itemStartNext(t.store.db, job.id, OWNER, nowIso());
    if (!('item' in next)) throw new Error(`no next item: ${JSON.stringify(next)}`);
    // Never in a normal run (a result and its charge commit together): the last item's charge is there already.
    expect(await creditsChargeMany(t.store.db, [{ orgId: org.id, ref: job.id, itemRef: next.item.key, amount: 1 }])).toEqual([true]);
    await t.store.db.transaction().execute((trx) => itemCheckpoints(trx, [succeeded(job, next.item.key, next.item.seq, true)], { owner: OWNER, hooks: [] }));
    // One charge per item in the ledger, none twice; the job's row and its end's event agree.
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 8, reserved: 0 });
    const row = await jobRow(t.store, job.id);
    expect([row.status, row.credits_charged]).toEqual(['completed', 1]);
    const events = await eventsOf(t.store, job.id);
    expect(events.at(-1)).toMatchObject({ type: 'job.completed', data: { creditsCharged: row.credits_charged } });
  });
});
