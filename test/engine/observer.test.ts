/**
 * The engine's observer (src/engine/observer.ts): told of claims, items' and jobs' ends and lost
 * leases after they commit, and an observer that throws changes nothing for the jobs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { PermanentError } from '../../src/engine/errors.ts';
import type { EngineObserver } from '../../src/engine/index.ts';
import { startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';

let t: TestEngine;
afterEach(() => t?.close());

/** Every call, as `name:outcome-or-status`, in order. */
function recorder(): { calls: string[]; events: Record<string, unknown>[]; observer: EngineObserver } {
  const calls: string[] = [];
  const events: Record<string, unknown>[] = [];
  const note = (name: string, event: Record<string, unknown>, what: unknown) => {
    calls.push(what === undefined ? name : `${name}:${String(what)}`);
    events.push({ call: name, ...event });
  };
  return {
    calls,
    events,
    observer: {
      jobClaimed: (e) => note('jobClaimed', e, undefined),
      itemEnded: (e) => note('itemEnded', e, e.outcome),
      jobEnded: (e) => note('jobEnded', e, e.status),
      leaseLost: (e) => note('leaseLost', e, undefined),
    },
  };
}

const twoItems = defineKind<{ fail?: boolean }>({
  name: 'two',
  creditsPerItem: 1,
  items: () => [{ key: 'a' }, { key: 'b' }],
  async process({ input, item }) {
    if (input.fail && item.key === 'b') throw new PermanentError('NOPE', 'asked to fail');
    return { ok: true };
  },
});

describe('engine observer', () => {
  it('tells a claim, each item and the end, after they commit, with what an operator needs', async () => {
    t = await startTestEngine([twoItems]);
    const { calls, events, observer } = recorder();
    // An observer that throws first: the job runs as if it were not there.
    t.engine.observe({
      jobClaimed() {
        throw new Error('observer bug');
      },
      jobEnded() {
        throw new Error('observer bug');
      },
    });
    t.engine.observe(observer);
    const org = await t.org('acme');
    const job = await t.engine.submit({ orgId: org.id, kind: twoItems, input: { fail: true } });
    const ended = await waitForJob(t.engine, t.store, job.id);
    expect(ended.status).toBe('completed');
    await until('the end is told', () => calls.includes('jobEnded:completed'));
    expect(calls).toEqual(['jobClaimed', 'itemEnded:succeeded', 'itemEnded:failed', 'jobEnded:completed']);
    const jobOf = { id: job.id, kind: 'two', orgId: org.id };
    expect(events[0]).toMatchObject({ job: jobOf, attempt: 1 });
    expect(events[0]!.queueWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(events[2]).toMatchObject({ job: jobOf, item: 'b', attempt: 1, errorCode: 'NOPE' });
    expect(events[3]).toMatchObject({ job: jobOf, creditsCharged: 1 });
    expect(events[3]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('tells a lost lease when another worker took the job, not when it was canceled', async () => {
    let started = 0;
    const waits = defineKind<Record<string, never>>({
      name: 'waits',
      async process({ signal }) {
        started += 1;
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
      },
    });
    const quick = defineKind<Record<string, never>>({ name: 'quick', async process() {} });
    t = await startTestEngine([waits, quick], { leaseMs: 600 });
    const { calls, observer } = recorder();
    t.engine.observe(observer);
    const org = await t.org('acme');

    const taken = await t.engine.submit({ orgId: org.id, kind: waits, input: {} });
    await until('the job runs', () => started === 1);
    // What another worker's claim writes: its name and its own lease, so this engine's claimer
    // does not take the job back (and start its item again) while the test goes on.
    const theirs = new Date(Date.now() + 3_600_000).toISOString();
    await t.store.db
      .updateTable('jobs')
      .set({ lease_owner: 'someone-else', lease_expires_at: theirs, available_at: theirs })
      .where('id', '=', taken.id)
      .execute();
    await until('the lost lease is told', () => calls.includes('leaseLost'));
    expect(calls).toEqual(['jobClaimed', 'itemEnded:abandoned', 'leaseLost']);

    calls.length = 0;
    const canceled = await t.engine.submit({ orgId: org.id, kind: waits, input: {} });
    await until('the second job runs', () => started === 2);
    await t.engine.cancel(org.id, canceled.id);
    await until('its item is told', () => calls.includes('itemEnded:abandoned'));
    // The read that tells a lost lease from a cancel comes before a job submitted after it ends.
    await until('the job is no longer held', () => t.engine.activity().held === 0);
    const after = await t.engine.submit({ orgId: org.id, kind: quick, input: {} });
    await waitForJob(t.engine, t.store, after.id);
    await until('the later job is told', () => calls.includes('jobEnded:completed'));
    expect(calls.slice(0, 3)).toEqual(['jobClaimed', 'jobEnded:canceled', 'itemEnded:abandoned']);
    expect(calls).not.toContain('leaseLost');
  });
});
