/**
 * Jobs claimed ahead of free slots (`prefetch`): they count against the organisation's limit,
 * a canceled one is never run, and one waiting for a slot keeps its lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { creditsBalance } from '../../src/store/ledger.ts';
import { defineKind } from '../../src/engine/kind.ts';
import type { Store } from '../../src/store/database.ts';
import { jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { until, untilEngineIdle } from '../helpers/wait.ts';

let t: TestEngine;
afterEach(() => t?.close());

/** Items of jobs whose input says `hold` wait for `release()`; every item run is logged. */
function gatedKind() {
  const ran: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const kind = defineKind<{ hold: boolean }>({
    name: 'gated',
    creditsPerItem: 1,
    itemTimeoutMs: 20_000,
    items: () => [{ key: 'only' }],
    async process({ jobId, input }) {
      ran.push(jobId);
      if (input.hold) await gate;
      return 'done';
    },
  });
  return { kind, ran, release };
}

async function leased(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('jobs').select('id').where('lease_owner', 'is not', null).where('status', '=', 'running').execute();
  return rows.map((r) => r.id);
}

describe('claiming ahead (prefetch)', () => {
  it('holds up to concurrency + prefetch jobs, runs only concurrency at once, and runs every one', async () => {
    const g = gatedKind();
    t = await startTestEngine([g.kind], { concurrency: 2, prefetch: 3, orgConcurrency: 50 }, false);
    const org = await t.org('acme');
    const ids = [];
    for (let i = 0; i < 8; i += 1) ids.push((await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } })).id);
    t.engine.start();
    await until('two run and three more are claimed', async () => g.ran.length === 2 && (await leased(t.store)).length === 5);
    // The three claimed ahead have got as far as they may (a slot), and the claimer, with no room
    // left, sleeps: a third item would have started by now.
    await until('three wait for a slot', () => t.engine.activity().waitingForSlot === 3 && t.engine.activity().claimerAsleep);
    expect(g.ran).toHaveLength(2);
    expect(await leased(t.store)).toHaveLength(5);
    g.release();
    for (const id of ids) expect((await waitForJob(t.engine, t.store, id)).status).toBe('completed');
    expect(g.ran.sort()).toEqual([...ids].sort());
  });

  it('counts jobs claimed ahead against the organisation limit', async () => {
    const g = gatedKind();
    t = await startTestEngine([g.kind], { concurrency: 2, prefetch: 10, orgConcurrency: 3 }, false);
    const org = await t.org('acme');
    const ids = [];
    for (let i = 0; i < 6; i += 1) ids.push((await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } })).id);
    t.engine.start();
    // The claimer took what the limit allows, and sleeps though it has room: it looked and stopped at three.
    await until('two run, one waits for a slot and the claimer sleeps', () => {
      const a = t.engine.activity();
      return g.ran.length === 2 && a.waitingForSlot === 1 && a.claimerAsleep;
    });
    expect(t.engine.activity().held).toBe(3);
    expect(await leased(t.store)).toHaveLength(3);
    g.release();
    for (const id of ids) expect((await waitForJob(t.engine, t.store, id)).status).toBe('completed');
  });

  it("hands a big job back when another organisation's job waits and every place is taken", async () => {
    const ran: { jobId: string; key: string }[] = [];
    const kind = defineKind<{ items: number }>({
      name: 'steps',
      creditsPerItem: 0,
      itemTimeoutMs: 10_000,
      items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `k${i + 1}` })),
      async process({ jobId, item }) {
        ran.push({ jobId, key: item.key });
        await sleepMs(5);
        return item.key;
      },
    });
    t = await startTestEngine([kind], { concurrency: 1, prefetch: 1, orgConcurrency: 5 }, false);
    const big = await t.org('big');
    const small = await t.org('small');
    const bigJobs = [];
    for (let i = 0; i < 2; i += 1) bigJobs.push(await t.engine.submit({ orgId: big.id, kind, input: { items: 40 } }));
    t.engine.start();
    await until('both big jobs are held and running', async () => ran.length >= 4 && (await leased(t.store)).length === 2);
    const smallJob = await t.engine.submit({ orgId: small.id, kind, input: { items: 1 } });
    // Counted once the small job is there: items run while its submission waited do not count.
    const before = ran.length;
    expect((await waitForJob(t.engine, t.store, smallJob.id)).status).toBe('completed');
    const smallAt = ran.findIndex((r) => r.jobId === smallJob.id);
    // Each held big job runs at most the item in flight and the next (whose checkpoint may have
    // been on its way before the small job was there) before it is handed back.
    expect(smallAt - before).toBeLessThanOrEqual(2 * bigJobs.length);
    for (const job of bigJobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
  });

  it('never runs a job canceled while it waited for a slot, and returns its reservation', async () => {
    const g = gatedKind();
    t = await startTestEngine([g.kind], { concurrency: 1, prefetch: 1, orgConcurrency: 5 }, false);
    const org = await t.org('acme', 10);
    const running = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } });
    const waiting = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: false } });
    t.engine.start();
    await until('the second job is claimed ahead', async () => g.ran.length === 1 && (await leased(t.store)).includes(waiting.id));
    expect((await t.engine.cancel(org.id, waiting.id))?.canceled).toBe(true);
    g.release();
    expect((await waitForJob(t.engine, t.store, running.id)).status).toBe('completed');
    // The canceled job's task has had its slot and given it up: it holds nothing any more.
    await untilEngineIdle(t.engine);
    expect(g.ran).toEqual([running.id]);
    expect((await jobRow(t.store, waiting.id)).status).toBe('canceled');
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 9, reserved: 0 });
  });

  it('keeps the lease of a job waiting for a slot, so another engine does not take it: its item runs once', async () => {
    const g = gatedKind();
    // Long enough that a loaded machine's stall does not outlast the heartbeat's renewals.
    const leaseMs = 3000;
    t = await startTestEngine([g.kind], { concurrency: 1, prefetch: 1, orgConcurrency: 5, leaseMs }, false);
    const org = await t.org('acme');
    const first = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } });
    const second = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: false } });
    t.engine.start();
    await until('the second job is claimed ahead', async () => g.ran.length === 1 && (await leased(t.store)).includes(second.id));
    // The lease the claim gave it runs out; the other engine's claims after that find it renewed.
    const claimedUntil = Date.parse((await jobRow(t.store, second.id)).lease_expires_at!);
    const other = t.sibling({ prefetch: 0, idleMaxMs: 50 });
    other.start();
    await until('the first lease has run out', () => Date.now() > claimedUntil, { timeoutMs: 3 * leaseMs });
    const roundsBefore = other.activity().claimRounds;
    // Two more: the second began after the lease ran out (without its heartbeat, it would take the job).
    await until('the other engine claims twice more', () => other.activity().claimRounds >= roundsBefore + 2);
    expect((await jobRow(t.store, second.id)).lease_owner).toBe(t.engine.owner);
    expect(g.ran).toEqual([first.id]);
    g.release();
    for (const id of [first.id, second.id]) expect((await waitForJob(t.engine, t.store, id)).status).toBe('completed');
    expect(g.ran).toEqual([first.id, second.id]);
    expect((await jobRow(t.store, second.id)).attempts).toBe(1);
  });
});
