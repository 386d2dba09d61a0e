import { afterEach, describe, expect, it } from 'vitest';
import { defineKind, itemView, jobView, type JobRow } from '../../src/engine/index.ts';
import { creditsBalance, creditsLedgerPage, creditsRecount } from '../../src/store/ledger.ts';
import type { Store } from '../../src/store/database.ts';
import { eventsOf, itemsOf, jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';

/**
 * `Engine.submitManyIn`: a batch written per batch, not per job, answers as the same
 * submissions one by one would (rows, views, events, items, credits, organisation turns), and a
 * batch refused changes nothing. Its jobs then run, and their ends release what they reserved
 * and were not charged (batched per organisation in `DeferredWrites`).
 */
const pair = defineKind<{ n: number }>({
  name: 'pair',
  items: ({ n }) => [
    { key: 'a', input: { n } },
    { key: 'b', input: { n: n + 1 } },
  ],
  // Reserves 3 an item, charges 1: each job leaves 4 to release.
  pricing: { maxPerItem: () => 3, forResult: () => 1 },
  process: async ({ item }) => item.input,
});
const noop = defineKind<{ tag: string }>({ name: 'noop', process: async () => 'done' });

let t: TestEngine;
afterEach(() => t?.close());

const later = new Date(Date.now() + 3_600_000);

/** What a job's submission decides, without what differs from one submission to the next. */
async function submittedAs(store: Store, job: JobRow) {
  const row = await jobRow(store, job.id);
  expect(row).toEqual(job); // the view returned is the row stored
  const { id, created_at, updated_at, run_at, available_at, ...rest } = row;
  const view = jobView(row);
  return {
    rest,
    times: { delayed: run_at > created_at, queued: available_at === run_at, updated: updated_at === created_at },
    view: { ...view, id: undefined, createdAt: undefined, updatedAt: undefined, runAt: undefined },
    items: (await itemsOf(store, id)).map((item) => ({ ...itemView(item), availableAt: undefined })),
    events: (await eventsOf(store, id)).map((e) => ({ ...e, data: { ...e.data, runAt: undefined } })),
  };
}

async function turns(store: Store) {
  return store.db.selectFrom('engine_org_turns').select(['org_id', 'active_jobs']).orderBy('org_id').execute();
}

describe('submitting many jobs at once', () => {
  it('answers as the same submissions one by one, for a batch of mixed organisations and kinds', async () => {
    t = await startTestEngine([pair, noop], {}, false);
    const acme = await t.org('acme', 100);
    const globex = await t.org('globex', 100);
    const requests = [
      { orgId: acme.id, kind: pair, input: { n: 1 } },
      { orgId: globex.id, kind: noop, input: { tag: 'x' }, priority: 3 },
      { orgId: acme.id, kind: noop, input: { tag: 'y' }, runAt: later, queue: 'serial' },
      { orgId: globex.id, kind: pair, input: { n: 5 } },
    ] as never[];
    const many = await t.store.db.transaction().execute((trx) => t.engine.submitManyIn(trx, requests));
    const afterMany = { acme: await creditsBalance(t.store.db, acme.id), globex: await creditsBalance(t.store.db, globex.id), turns: await turns(t.store) };
    const single = await t.store.db.transaction().execute(async (trx) => {
      const jobs: JobRow[] = [];
      for (const request of requests) jobs.push(await t.engine.submitIn(trx, request));
      return jobs;
    });

    expect(many.map((job) => job.kind)).toEqual(['pair', 'noop', 'noop', 'pair']);
    for (const [i, job] of many.entries()) expect(await submittedAs(t.store, job)).toEqual(await submittedAs(t.store, single[i]!));
    // Each way reserved the same (2 × 2 items × 3 a job of `pair`) and counted the same jobs.
    expect(afterMany.acme).toEqual({ available: 94, reserved: 6 });
    expect(await creditsBalance(t.store.db, acme.id)).toEqual({ available: 88, reserved: 12 });
    expect(await creditsBalance(t.store.db, globex.id)).toEqual({ available: 88, reserved: 12 });
    expect(afterMany.turns.map((r) => Number(r.active_jobs))).toEqual([2, 2]);
    expect((await turns(t.store)).map((r) => Number(r.active_jobs))).toEqual([4, 4]);
    const reserves = (await creditsLedgerPage(t.store.db, acme.id, { limit: 50, offset: 0 })).entries.filter((e) => e.kind === 'reserve');
    expect(reserves.map((e) => [e.ref, e.amount]).sort()).toEqual([
      [many[0]!.id, 6],
      [single[0]!.id, 6],
    ]);
  });

  it('refuses a whole batch when one organisation is short of credits, and changes nothing', async () => {
    t = await startTestEngine([pair, noop], {}, false);
    const acme = await t.org('acme', 100);
    const globex = await t.org('globex', 5);
    const requests = [
      { orgId: acme.id, kind: pair, input: { n: 1 } },
      { orgId: acme.id, kind: noop, input: { tag: 'y' } },
      { orgId: globex.id, kind: pair, input: { n: 2 } }, // needs 6
    ] as never[];
    await expect(t.engine.submitManyIn(t.store.db, requests)).rejects.toMatchObject({ code: 'insufficient_credits', needed: 6, available: 5 });
    expect(await t.store.db.selectFrom('jobs').select('id').execute()).toEqual([]);
    expect(await t.store.db.selectFrom('job_items').select('job_id').execute()).toEqual([]);
    expect(await turns(t.store)).toEqual([]);
    expect(await creditsBalance(t.store.db, acme.id)).toEqual({ available: 100, reserved: 0 });
    expect((await creditsLedgerPage(t.store.db, acme.id, { limit: 50, offset: 0 })).total).toBe(1);
    // A kind not registered refuses the batch before anything is written.
    const stranger = defineKind({ name: 'stranger', process: async () => null });
    await expect(t.engine.submitManyIn(t.store.db, [{ orgId: acme.id, kind: stranger, input: {} }])).rejects.toThrow(/not registered/);
  });

  it('runs the batch, charges once per item and releases the rest of every job, per organisation', async () => {
    t = await startTestEngine([pair, noop], { concurrency: 4, orgConcurrency: 4, prefetch: 8 }, false);
    const acme = await t.org('acme', 100);
    const globex = await t.org('globex', 100);
    const requests = Array.from({ length: 6 }, (_, n) => ({ orgId: n % 2 ? acme.id : globex.id, kind: pair, input: { n } }));
    const jobs = await t.engine.submitManyIn(t.store.db, requests as never[]);
    t.engine.start();
    for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    for (const org of [acme, globex]) {
      // 3 jobs: 18 reserved, 6 charged, 12 released.
      expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 94, reserved: 0 });
      expect(await creditsRecount(t.store.db, org.id)).toEqual({ available: 94, reserved: 0 });
      const { entries } = await creditsLedgerPage(t.store.db, org.id, { limit: 50, offset: 0 });
      const of = (kind: string) => entries.filter((e) => e.kind === kind).map((e) => [e.ref, e.amount]);
      expect(of('charge')).toHaveLength(6);
      expect(of('release').sort()).toEqual(
        jobs
          .filter((job) => job.org_id === org.id)
          .map((job) => [job.id, 4])
          .sort(),
      );
    }
    for (const job of jobs) expect((await jobRow(t.store, job.id)).credits_charged).toBe(2);
    expect((await turns(t.store)).map((r) => Number(r.active_jobs))).toEqual([0, 0]);
  });
});
