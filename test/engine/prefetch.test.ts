/**
 * Jobs claimed ahead of free slots (`prefetch`): they count against the organisation's limit,
 * a canceled one is never run, and one waiting for a slot keeps its lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { creditsBalance } from '../../src/billing/ledger.ts';
import { defineKind } from '../../src/engine/kind.ts';
import type { Store } from '../../src/store/database.ts';
import { jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';

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

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleepMs(10);
  }
}

describe('claiming ahead (prefetch)', () => {
  it('holds up to concurrency + prefetch jobs, runs only concurrency at once, and runs every one', async () => {
    const g = gatedKind();
    t = await startTestEngine([g.kind], { concurrency: 2, prefetch: 3, orgConcurrency: 50 }, false);
    const org = await t.org('acme');
    const ids = [];
    for (let i = 0; i < 8; i += 1) ids.push((await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } })).id);
    t.engine.start();
    await until(async () => g.ran.length === 2 && (await leased(t.store)).length === 5, 'two run and three more are claimed');
    await sleepMs(100);
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
    await until(async () => g.ran.length === 2, 'two run');
    await sleepMs(150);
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
    await until(async () => ran.length >= 4 && (await leased(t.store)).length === 2, 'both big jobs are held and running');
    const before = ran.length;
    const smallJob = await t.engine.submit({ orgId: small.id, kind, input: { items: 1 } });
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
    await until(async () => g.ran.length === 1 && (await leased(t.store)).includes(waiting.id), 'the second job is claimed ahead');
    expect((await t.engine.cancel(org.id, waiting.id))?.canceled).toBe(true);
    g.release();
    expect((await waitForJob(t.engine, t.store, running.id)).status).toBe('completed');
    await sleepMs(100);
    expect(g.ran).toEqual([running.id]);
    expect((await jobRow(t.store, waiting.id)).status).toBe('canceled');
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 9, reserved: 0 });
  });

  it('keeps the lease of a job waiting for a slot, so another engine does not take it: its item runs once', async () => {
    const g = gatedKind();
    const leaseMs = 600;
    t = await startTestEngine([g.kind], { concurrency: 1, prefetch: 1, orgConcurrency: 5, leaseMs }, false);
    const org = await t.org('acme');
    const first = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: true } });
    const second = await t.engine.submit({ orgId: org.id, kind: g.kind, input: { hold: false } });
    t.engine.start();
    await until(async () => g.ran.length === 1 && (await leased(t.store)).includes(second.id), 'the second job is claimed ahead');
    const other = t.sibling({ prefetch: 0, idleMaxMs: 50 });
    other.start();
    // Three leases long: without its heartbeat the waiting job would have been taken.
    await sleepMs(3 * leaseMs);
    expect((await jobRow(t.store, second.id)).lease_owner).toBe(t.engine.owner);
    expect(g.ran).toEqual([first.id]);
    g.release();
    for (const id of [first.id, second.id]) expect((await waitForJob(t.engine, t.store, id)).status).toBe('completed');
    expect(g.ran).toEqual([first.id, second.id]);
    expect((await jobRow(t.store, second.id)).attempts).toBe(1);
  });
});
