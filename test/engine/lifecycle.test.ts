import { afterEach, describe, expect, it } from 'vitest';
import { creditsBalance, creditsRecount } from '../../src/store/ledger.ts';
import { PermanentError, RetryableError } from '../../src/engine/errors.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { jobsDeleteFinishedBefore } from '../../src/engine/sql/jobsMaintenance.ts';
import { sleepKind } from '../../src/families/demo/kind.ts';
import { eventsOf, itemsOf, jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine;
afterEach(() => t?.close());

const sleep = sleepKind({ budgetBeyondMs: 300, backoffBaseMs: 40, maxAttempts: 2 });
const sleepInput = (over: Partial<{ items: number; ms: number; fail: string[]; flaky: string[]; hang: string[] }> = {}) => ({
  items: 3,
  ms: 5,
  fail: [],
  flaky: [],
  hang: [],
  ...over,
});

describe('job lifecycle', () => {
  it('runs every item, charges each success once, releases the rest, and logs events in order', async () => {
    t = await startTestEngine([sleep]);
    const org = await t.org('acme', 10);
    const submitted = await t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ fail: ['item-2'] }) });
    // Queued, or already running when the idle engine started it with its submission.
    expect(['queued', 'running']).toContain(submitted.status);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 7, reserved: 3 });

    const job = await waitForJob(t.engine, t.store, submitted.id);
    expect(job.status).toBe('completed');
    expect(job.started_at).not.toBeNull();
    expect(job.completed_at! >= job.started_at!).toBe(true);
    expect([job.items_succeeded, job.items_failed, job.credits_charged]).toEqual([2, 1, 2]);

    const items = await itemsOf(t.store, job.id);
    expect(items.map((i) => [i.key, i.status, i.error_code])).toEqual([
      ['item-1', 'succeeded', null],
      ['item-2', 'failed', 'DEMO_FAILURE'],
      ['item-3', 'succeeded', null],
    ]);
    expect(JSON.parse(items[0]!.result!)).toEqual({ key: 'item-1', sleptMs: 5 });

    const events = await eventsOf(t.store, job.id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => e.type)).toEqual(['job.queued', 'job.started', 'item.succeeded', 'item.failed', 'item.succeeded', 'job.completed']);

    // Charged for the two successes only; the failed item's credit came back.
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 8, reserved: 0 });
    expect(await creditsRecount(t.store.db, org.id)).toEqual({ available: 8, reserved: 0 });
  });

  it('retries a retryable failure with exponential backoff, then succeeds', async () => {
    const attempts: number[] = [];
    const flaky = defineKind({
      name: 'flaky',
      backoffBaseMs: 60,
      maxAttempts: 4,
      async process({ item }) {
        attempts.push(Date.now());
        if (item.attempt < 3) throw new RetryableError('UPSTREAM_BUSY', 'try later');
        return 'ok';
      },
    });
    t = await startTestEngine([flaky]);
    const org = await t.org('acme');
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: flaky, input: {} })).id);
    expect(job.status).toBe('completed');
    const [item] = await itemsOf(t.store, job.id);
    expect(item!.status).toBe('succeeded');
    expect(item!.attempts).toBe(3);
    // Delays lie in [d/2, d] for d = 60 ms, then 120 ms.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(30);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(60);
  });

  it('fails an item whose retries run out, with the last error code', async () => {
    const never = defineKind({
      name: 'never',
      backoffBaseMs: 10,
      maxAttempts: 3,
      async process() {
        throw new RetryableError('UPSTREAM_DOWN', 'still down');
      },
    });
    t = await startTestEngine([never]);
    const org = await t.org('acme');
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: never, input: {} })).id);
    const [item] = await itemsOf(t.store, job.id);
    expect([item!.status, item!.error_code, item!.attempts]).toEqual(['failed', 'UPSTREAM_DOWN', 3]);
    expect(item!.error_message).toContain('gave up after 3 attempts');
  });

  it('fails a permanent error at once, and an unexpected throw as INTERNAL_ERROR of that item only', async () => {
    const mixed = defineKind<{ n: number }>({
      name: 'mixed',
      maxAttempts: 5,
      items: () => [{ key: 'bad' }, { key: 'boom' }, { key: 'good' }],
      async process({ item }) {
        if (item.key === 'bad') throw new PermanentError('PROFILE_NOT_FOUND', 'no such profile');
        if (item.key === 'boom') throw new TypeError('undefined is not a function');
        return item.key;
      },
    });
    t = await startTestEngine([mixed]);
    const org = await t.org('acme');
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: mixed, input: { n: 1 } })).id);
    expect(job.status).toBe('completed');
    const items = await itemsOf(t.store, job.id);
    expect(items.map((i) => [i.key, i.status, i.error_code, i.attempts])).toEqual([
      ['bad', 'failed', 'PROFILE_NOT_FOUND', 1],
      ['boom', 'failed', 'INTERNAL_ERROR', 1],
      ['good', 'succeeded', null, 1],
    ]);
  });

  it('turns an overrun of the time budget into a retryable TIMEOUT', async () => {
    t = await startTestEngine([sleep]);
    const org = await t.org('acme');
    const job = await waitForJob(
      t.engine,
      t.store,
      (await t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ items: 2, hang: ['item-1'] }) })).id,
    );
    const items = await itemsOf(t.store, job.id);
    expect([items[0]!.status, items[0]!.error_code, items[0]!.attempts]).toEqual(['failed', 'TIMEOUT', 2]);
    expect(items[1]!.status).toBe('succeeded');
  });

  it('fails the whole job with INTERNAL_ERROR when the kind breaks outside its items, and releases its credits', async () => {
    const broken = defineKind({
      name: 'broken',
      creditsPerItem: 2,
      async process() {
        return 1;
      },
      finish() {
        throw new Error('bug in summing up');
      },
    });
    t = await startTestEngine([broken]);
    const org = await t.org('acme', 5);
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: broken, input: {} })).id);
    expect([job.status, job.error_code]).toEqual(['failed', 'INTERNAL_ERROR']);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 5, reserved: 0 });
  });

  it('refuses a submission the balance cannot cover, leaving nothing behind', async () => {
    t = await startTestEngine([sleep]);
    const org = await t.org('poor', 2);
    await expect(t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ items: 3 }) })).rejects.toMatchObject({ code: 'insufficient_credits' });
    expect(await t.store.db.selectFrom('jobs').selectAll().execute()).toEqual([]);
    expect(await t.store.db.selectFrom('job_events').selectAll().execute()).toEqual([]);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 2, reserved: 0 });
  });

  it('stores every item of a big job, in order with its input, and its queued event, in one submission', async () => {
    const many = defineKind<{ n: number }>({
      name: 'many',
      items: ({ n }) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, input: { i, note: i % 2 ? null : 'it’s "quoted"' } })),
      process: async () => null,
    });
    t = await startTestEngine([many], {}, false);
    const org = await t.org('acme');
    const submitted = await t.engine.submit({ orgId: org.id, kind: many, input: { n: 1200 } });
    const items = await itemsOf(t.store, submitted.id);
    expect(items.length).toBe(1200);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
    expect(items.every((item, i) => item.key === `k${i}` && item.status === 'pending' && item.attempts === 0)).toBe(true);
    expect(JSON.parse(items[1199]!.input!)).toEqual({ i: 1199, note: null });
    expect(JSON.parse(items[42]!.input!)).toEqual({ i: 42, note: 'it’s "quoted"' });
    expect(items.every((item) => item.result === null && item.finished_at === null && item.available_at === submitted.available_at)).toBe(true);
    const events = await eventsOf(t.store, submitted.id);
    expect(events).toEqual([{ seq: 1, type: 'job.queued', data: { kind: 'many', items: 1200, runAt: submitted.run_at } }]);
  });

  it('does not start a delayed job before its runAt', async () => {
    t = await startTestEngine([sleep]);
    const org = await t.org('acme');
    const runAt = new Date(Date.now() + 400);
    const submitted = await t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ items: 1 }), runAt });
    const job = await waitForJob(t.engine, t.store, submitted.id);
    expect(job.status).toBe('completed');
    expect(Date.parse(job.started_at!)).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('runs higher priorities first within an organisation', async () => {
    t = await startTestEngine([sleep], { concurrency: 1 }, false);
    const org = await t.org('acme');
    const ids: Record<number, string> = {};
    for (const priority of [0, 10, 5]) {
      ids[priority] = (await t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ items: 1 }), priority })).id;
    }
    t.engine.start();
    const done = await Promise.all(Object.values(ids).map((id) => waitForJob(t.engine, t.store, id)));
    const order = done.sort((a, b) => a.started_at!.localeCompare(b.started_at!) || a.id.localeCompare(b.id)).map((j) => j.priority);
    expect(order).toEqual([10, 5, 0]);
  });

  it('prunes finished jobs past retention with their items and events', async () => {
    t = await startTestEngine([sleep]);
    const org = await t.org('acme');
    const job = await waitForJob(t.engine, t.store, (await t.engine.submit({ orgId: org.id, kind: sleep, input: sleepInput({ items: 1 }) })).id);
    expect(await jobsDeleteFinishedBefore(t.store.db, job.completed_at!)).toBe(0);
    expect(await jobsDeleteFinishedBefore(t.store.db, new Date(Date.now() + 1000).toISOString())).toBe(1);
    expect(await itemsOf(t.store, job.id)).toEqual([]);
    expect(await eventsOf(t.store, job.id)).toEqual([]);
    await expect(jobRow(t.store, job.id)).rejects.toThrow();
  });
});
