/**
 * Throttles (src/engine/throttle.ts): at most N items of a kind started per interval per
 * organisation, across processes on one database; a throttled job waits (its view says
 * `throttled`) and does not fail; an organisation's own limit wins over the kind's default; the
 * claimer wakes at the next slot, with no polling. Intervals are short so the tests are quick;
 * every wait is on a signal or a condition, never a fixed sleep.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { nowIso } from '../../src/ids.ts';
import { throttleLimitSet } from '../../src/store/throttleLimits.ts';
import { loggingKind, readLog } from '../fixtures/loggingKind.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';

let t: TestEngine | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  await server?.close();
  t = undefined;
  server = undefined;
});

/** A kind whose items end at once, noting when each started (ms, `performance.now()`) and for which organisation. */
function quickKind(throttle?: { items: number; intervalMs: number }) {
  const starts: { orgId: string; jobId: string; at: number }[] = [];
  const kind = defineKind<{ items: number }>({
    name: 'quick',
    throttle,
    items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `k${i + 1}` })),
    async process({ orgId, jobId }) {
      starts.push({ orgId, jobId, at: performance.now() });
      return null;
    },
  });
  return { kind, starts };
}

/**
 * How far apart a slot's time and an item's `started_at` may be read: the throttle spaces starts
 * by the database's clock, read by the claim's first statement; `started_at` is this process's
 * clock, read when that statement has answered, a round trip later (up to ~100 ms seen on
 * PostgreSQL under CI load). Spacing measured on `started_at` is the throttle's, give or take this.
 */
const READ_APART_MS = 150;

/**
 * When the items of `jobIds` started, in ms, in order: their `started_at`, written in the
 * transaction that took the slot (a processor's own clock reading comes a varying moment later).
 */
async function itemStarts(t: TestEngine, jobIds: string[]): Promise<number[]> {
  const rows = await t.store.db.selectFrom('job_items').select('started_at').where('job_id', 'in', jobIds).execute();
  return rows.map((r) => Date.parse(r.started_at!)).sort((a, b) => a - b);
}

/** Sets an organisation's own limit, as `longrun throttle set` does. */
const limitOrg = (t: TestEngine, orgId: string, kind: string, items: number, intervalMs: number) =>
  throttleLimitSet(t.store.db, { org_id: orgId, kind, items, interval_ms: intervalMs, updated_at: nowIso() });

describe('throttle settings', () => {
  it('reads LONGRUN_THROTTLES, and refuses a malformed one naming the setting', () => {
    expect(loadConfig({}, { LONGRUN_THROTTLES: 'ideas.enrich=60/1m, sleep = 2/500ms' }).throttles).toEqual({
      'ideas.enrich': { items: 60, intervalMs: 60_000 },
      sleep: { items: 2, intervalMs: 500 },
    });
    expect(loadConfig({}, {}).throttles).toEqual({});
    for (const bad of ['sleep=0/1m', 'sleep=5', 'sleep=5/a minute', '=5/1m']) {
      expect(() => loadConfig({}, { LONGRUN_THROTTLES: bad }), bad).toThrow(/^LONGRUN_THROTTLES must be a comma-separated list like ideas\.enrich=60\/1m/);
    }
  });

  it('refuses to start an engine whose throttles name a kind it does not know', async () => {
    const q = quickKind();
    t = await startTestEngine([q.kind], { throttles: { qiuck: { items: 1, intervalMs: 1000 } } }, false);
    expect(() => t!.engine.start()).toThrow('a throttle names a kind this process does not know: qiuck');
  });
});

describe('throttles', () => {
  it('starts at most N items per interval across two processes on one database', async () => {
    const logFile = path.join(os.tmpdir(), `longrun-throttle-${process.pid}-${Date.now()}.log`);
    const kind = loggingKind(logFile);
    // Items of 800 ms at 4 starts a second: neither this process (2 slots) nor the child (3) can
    // hold that many at once, so both start some however their claims race.
    t = await startTestEngine([kind], { concurrency: 2, orgConcurrency: 10, idleMaxMs: 30_000 }, false);
    const org = await t.org('limited');
    const other = await t.org('other');
    // 4 per second: one every 250 ms, in either process.
    await limitOrg(t, org.id, kind.name, 4, 1000);
    t.engine.start();
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/engineWorker.ts'), t.databaseUrl, logFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const jobs: string[] = [];
    let free: string;
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      for (let i = 0; i < 6; i += 1) jobs.push((await t.engine.submit({ orgId: org.id, kind, input: { items: 2, ms: 800 } })).id);
      // Another organisation's job of the same kind is not held back meanwhile.
      free = (await t.engine.submit({ orgId: other.id, kind, input: { items: 6, ms: 5 } })).id;
      expect((await waitForJob(t.engine, t.store, free)).status).toBe('completed');
      for (const job of jobs) expect((await waitForJob(t.engine, t.store, job)).status).toBe('completed');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = readLog(logFile);
    fs.rmSync(logFile, { force: true });
    // Both processes started some.
    expect(new Set(lines.filter((l) => l.jobId !== free).map((l) => l.pid)).size).toBe(2);
    const starts = await itemStarts(t, jobs);
    expect(starts).toHaveLength(12);
    // Any 5 starts in a row span at least a second (less `READ_APART_MS`), so no second holds more than 4.
    for (let i = 0; i + 4 < starts.length; i += 1) expect(starts[i + 4]! - starts[i]!, `starts ${i}…${i + 4}`).toBeGreaterThan(1000 - READ_APART_MS);
    // Twelve starts 250 ms apart take about 2.75 s: the slots are used, not polled for each second.
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(2750 + 3000);
    // The other organisation's six items did not wait for slots (1.25 s at least if they had).
    const unthrottled = await itemStarts(t, [free!]);
    expect(unthrottled.at(-1)! - unthrottled[0]!).toBeLessThan(1250);
  });

  it('keeps a throttled job waiting, not failing, and its view says throttled; the claimer wakes at the slot', async () => {
    // One start every 2.5 s: a claimer polling each second would claim between.
    const q = quickKind({ items: 1, intervalMs: 2500 });
    t = await startTestEngine([q.kind], { concurrency: 2, idleMaxMs: 30_000 });
    const org = await t.org('acme');
    const first = await t.engine.submit({ orgId: org.id, kind: q.kind, input: { items: 1 } });
    const second = await t.engine.submit({ orgId: org.id, kind: q.kind, input: { items: 1 } });
    await waitForJob(t.engine, t.store, first.id);
    await until('the first has started', () => q.starts.length === 1);
    const rounds = t.engine.activity().claimRounds;

    const waiting = await jobRow(t.store, second.id);
    expect(waiting.status).toBe('queued');
    expect((await t.engine.waitingReasons([waiting])).get(second.id)).toBe('throttled');

    const done = await waitForJob(t.engine, t.store, second.id);
    expect(done.status).toBe('completed');
    expect((await t.engine.waitingReasons([done])).get(second.id)).toBeUndefined();
    const [a, b] = await itemStarts(t, [first.id, second.id]);
    const gap = b! - a!;
    expect(gap).toBeGreaterThanOrEqual(2500 - READ_APART_MS);
    // Woken by its slot: soon after it, with no submission or signal in between…
    expect(gap).toBeLessThan(2500 + 1000);
    // …and without claims every second while it waited (a poll would have made two or three more).
    expect(t.engine.activity().claimRounds - rounds).toBeLessThanOrEqual(2);
  });

  it("gives a running job back between items while its kind's throttle has no slot, and goes on at the slot", async () => {
    const q = quickKind({ items: 1, intervalMs: 1000 });
    t = await startTestEngine([q.kind], { concurrency: 2, idleMaxMs: 30_000 });
    const org = await t.org('acme');
    const job = await t.engine.submit({ orgId: org.id, kind: q.kind, input: { items: 3 } });
    await until('its first item has started', () => q.starts.length >= 1);
    // Given back after its first item: running, held by no worker, due at its slot.
    const between = await waitForJob(t.engine, t.store, job.id, (j) => j.items_succeeded === 1 && j.lease_owner === null);
    expect(between.status).toBe('running');
    expect(t.engine.activity().held).toBe(0);
    expect((await t.engine.waitingReasons([between])).get(job.id)).toBe('throttled');
    const done = await waitForJob(t.engine, t.store, job.id);
    expect([done.status, done.items_succeeded, done.items_failed]).toEqual(['completed', 3, 0]);
    const [a, b, c] = await itemStarts(t, [job.id]);
    expect(b! - a!).toBeGreaterThanOrEqual(1000 - READ_APART_MS);
    expect(c! - b!).toBeGreaterThanOrEqual(1000 - READ_APART_MS);
  });

  it("lets an organisation's own limit win over the kind's default, and leaves other organisations on the default", async () => {
    // The kind's default: one a minute. `fast` has its own: 50 a second.
    const q = quickKind({ items: 1, intervalMs: 60_000 });
    t = await startTestEngine([q.kind], { concurrency: 2, idleMaxMs: 30_000 }, false);
    const fast = await t.org('fast');
    const slow = await t.org('slow');
    await limitOrg(t, fast.id, q.kind.name, 50, 1000);
    t.engine.start();
    const fastJob = await t.engine.submit({ orgId: fast.id, kind: q.kind, input: { items: 5 } });
    const slowJob = await t.engine.submit({ orgId: slow.id, kind: q.kind, input: { items: 2 } });
    expect((await waitForJob(t.engine, t.store, fastJob.id)).status).toBe('completed');
    const held = await waitForJob(t.engine, t.store, slowJob.id, (j) => j.items_succeeded === 1 && j.lease_owner === null);
    expect(held.status).toBe('running');
    expect((await t.engine.waitingReasons([held])).get(slowJob.id)).toBe('throttled');
    // Its next slot is a minute after its first start.
    expect(Date.parse(held.available_at!) - Date.parse(held.started_at!)).toBeGreaterThan(55_000);
    expect(q.starts.filter((s) => s.orgId === slow.id)).toHaveLength(1);
  });

  it('shows waitingReason on GET /jobs/{id} and GET /jobs, and in the OpenAPI document', async () => {
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_THROTTLES: 'sleep=1/1m' } });
    const { key } = await server.newOrg('throttled', { credits: 100 });
    const submit = () => call(`${server!.url}/demo/sleep`, { key, method: 'POST', json: { items: 1, ms: 0 } });
    const first = (await submit()).body.data.jobId as string;
    const second = (await submit()).body.data.jobId as string;
    await until('the first has completed', async () => (await call(`${server!.url}/jobs/${first}`, { key })).status === 200);
    const status = await call(`${server.url}/jobs/${second}`, { key });
    expect(status.status).toBe(202);
    expect(status.body.data.status).toBe('queued');
    expect(status.body.data.waitingReason).toBe('throttled');
    const done = await call(`${server.url}/jobs/${first}`, { key });
    expect(done.body.data).not.toHaveProperty('waitingReason');
    const list = await call(`${server.url}/jobs?kind=sleep`, { key });
    const byId = new Map((list.body.data.jobs as { id: string; waitingReason?: string }[]).map((j) => [j.id, j]));
    expect(byId.get(second)?.waitingReason).toBe('throttled');
    expect(byId.get(first)).not.toHaveProperty('waitingReason');
    const openapi = await call(`${server.url}/openapi.json`);
    expect(JSON.stringify(openapi.body)).toContain('waitingReason');
  });
});
