import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { creditsBalance } from '../../src/store/ledger.ts';
import { defineKind } from '../../src/engine/kind.ts';
import { loggingKind, readLog } from '../fixtures/loggingKind.ts';
import { eventsOf, itemsOf, jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';

let t: TestEngine;
afterEach(() => t?.close());

/** A kind whose items wait `ms` (per item key, honouring the signal) and report what ran, when, and what was aborted. */
function recordingKind(ms: number | ((key: string) => number)) {
  const log: { jobId: string; key: string; orgId: string; startedAt: number; endedAt?: number; aborted?: boolean }[] = [];
  const active = new Map<string, number>(); // jobId -> items running now
  let maxJobsAtOnce = 0;
  let overlapInOneJob = false;
  const kind = defineKind<{ items: number }>({
    name: 'recording',
    creditsPerItem: 1,
    itemTimeoutMs: 10_000,
    items: (input) => Array.from({ length: input.items }, (_, i) => ({ key: `k${i + 1}` })),
    async process({ jobId, orgId, item, signal }) {
      const entry: (typeof log)[number] = { jobId, key: item.key, orgId, startedAt: performance.now() };
      log.push(entry);
      if (active.get(jobId)) overlapInOneJob = true;
      active.set(jobId, (active.get(jobId) ?? 0) + 1);
      maxJobsAtOnce = Math.max(maxJobsAtOnce, [...active.values()].filter((n) => n > 0).length);
      try {
        await sleepMs(typeof ms === 'number' ? ms : ms(item.key), undefined, { signal });
        entry.endedAt = performance.now();
        return item.key;
      } catch (error) {
        entry.aborted = true;
        throw error;
      } finally {
        active.set(jobId, active.get(jobId)! - 1);
      }
    },
  });
  return { kind, log, stats: () => ({ maxJobsAtOnce, overlapInOneJob }) };
}

describe('scheduling', () => {
  it('cancels a running job: the processor is aborted, finished items keep results and charges', async () => {
    // Two quick items, then items that run until something stops them: the cancel finds one in flight.
    const r = recordingKind((key) => (['k1', 'k2'].includes(key) ? 10 : 60_000));
    t = await startTestEngine([r.kind], { concurrency: 1 });
    const org = await t.org('acme', 50);
    const submitted = await t.engine.submit({ orgId: org.id, kind: r.kind, input: { items: 20 } });
    await waitForJob(t.engine, t.store, submitted.id, (j) => j.items_succeeded >= 2);
    await until('the third item is in flight', () => r.log.length === 3);
    const result = await t.engine.cancel(org.id, submitted.id);
    expect(result?.canceled).toBe(true);
    await t.engine.stop(2000);

    const job = await jobRow(t.store, submitted.id);
    expect(job.status).toBe('canceled');
    const items = await itemsOf(t.store, job.id);
    const succeeded = items.filter((i) => i.status === 'succeeded').length;
    expect(succeeded).toBe(job.items_succeeded);
    expect(succeeded).toBe(2);
    // The item in flight at the cancel saw its signal abort.
    expect(r.log.some((e) => e.aborted)).toBe(true);
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 50 - succeeded, reserved: 0 });
    expect((await eventsOf(t.store, job.id)).at(-1)!.type).toBe('job.canceled');
  });

  it('cancels a queued job at once and returns its whole reservation', async () => {
    const r = recordingKind(10);
    t = await startTestEngine([r.kind], {}, false);
    const org = await t.org('acme', 10);
    const submitted = await t.engine.submit({ orgId: org.id, kind: r.kind, input: { items: 4 } });
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 6, reserved: 4 });
    const result = await t.engine.cancel(org.id, submitted.id);
    expect(result?.job.status).toBe('canceled');
    expect(await creditsBalance(t.store.db, org.id)).toEqual({ available: 10, reserved: 0 });
    expect((await t.engine.cancel(org.id, submitted.id))?.canceled).toBe(false);
    expect(await t.engine.cancel('org_other', submitted.id)).toBeUndefined();
  });

  it("does not let one organisation's big job hold up another's single item", async () => {
    const r = recordingKind(20);
    t = await startTestEngine([r.kind], { concurrency: 1 });
    const big = await t.org('big');
    const small = await t.org('small');
    const bigJob = await t.engine.submit({ orgId: big.id, kind: r.kind, input: { items: 40 } });
    await waitForJob(t.engine, t.store, bigJob.id, (j) => j.items_succeeded >= 3);
    const startedBefore = r.log.filter((e) => e.jobId === bigJob.id).length;
    const smallJob = await t.engine.submit({ orgId: small.id, kind: r.kind, input: { items: 1 } });
    await waitForJob(t.engine, t.store, smallJob.id);

    const smallIndex = r.log.findIndex((e) => e.jobId === smallJob.id);
    const bigItemsBetween = r.log.slice(0, smallIndex).filter((e) => e.jobId === bigJob.id).length - startedBefore;
    // At most the big job's item in flight when the small job arrived, plus one.
    expect(bigItemsBetween).toBeLessThanOrEqual(1);
    const bigNow = await jobRow(t.store, bigJob.id);
    expect(bigNow.status).toBe('running');
    await waitForJob(t.engine, t.store, bigJob.id);
  });

  it('keeps an organisation within its concurrency limit', async () => {
    const r = recordingKind(30);
    t = await startTestEngine([r.kind], { concurrency: 4, orgConcurrency: 1 });
    const org = await t.org('acme');
    const jobs = [];
    for (let i = 0; i < 3; i += 1) jobs.push(await t.engine.submit({ orgId: org.id, kind: r.kind, input: { items: 3 } }));
    for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    expect(r.stats().maxJobsAtOnce).toBe(1);
  });

  it('never lets two engines in two processes on one database run the same job at once; each item runs once', async () => {
    const logFile = path.join(os.tmpdir(), `longrun-two-engines-${process.pid}-${Date.now()}.log`);
    const kind = loggingKind(logFile);
    t = await startTestEngine([kind], { concurrency: 3, orgConcurrency: 10, idleMaxMs: 50 });
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/engineWorker.ts'), t.databaseUrl, logFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      const orgs = [await t.org('a'), await t.org('b')];
      const jobs = [];
      // 64 items of 50 ms keep this process's 3 slots busy for a second at least: long enough
      // that the child, polling every 50 ms, takes some even on a loaded machine.
      for (let i = 0; i < 16; i += 1) jobs.push(await t.engine.submit({ orgId: orgs[i % 2]!.id, kind, input: { items: 4, ms: 50 } }));
      for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = readLog(logFile);
    fs.rmSync(logFile, { force: true });
    const ends = lines.filter((l) => l.phase === 'end').map((l) => `${l.jobId}/${l.key}`);
    expect(ends).toHaveLength(64);
    expect(new Set(ends).size).toBe(64);
    // Both processes did work.
    expect(new Set(lines.map((l) => l.pid)).size).toBe(2);
    // Per job, item runs never overlap in time: one holder at a time.
    const byJob = new Map<string, { start: number; end: number }[]>();
    for (const l of lines) {
      const spans = byJob.get(l.jobId) ?? [];
      if (l.phase === 'start') spans.push({ start: l.at, end: Infinity });
      else spans.find((s) => s.end === Infinity)!.end = l.at;
      byJob.set(l.jobId, spans);
    }
    for (const spans of byJob.values()) {
      spans.sort((a, b) => a.start - b.start);
      for (let i = 1; i < spans.length; i += 1) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
  });

  it('keeps an organisation within its concurrency limit across two processes', async () => {
    const logFile = path.join(os.tmpdir(), `longrun-org-limit-${process.pid}-${Date.now()}.log`);
    const kind = loggingKind(logFile);
    t = await startTestEngine([kind], { concurrency: 3, orgConcurrency: 1, idleMaxMs: 50 });
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../fixtures/engineWorker.ts'), t.databaseUrl, logFile, '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
      const org = await t.org('limited');
      const jobs = [];
      for (let i = 0; i < 8; i += 1) jobs.push(await t.engine.submit({ orgId: org.id, kind, input: { items: 3, ms: 15 } }));
      for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = readLog(logFile);
    fs.rmSync(logFile, { force: true });
    expect(lines.filter((l) => l.phase === 'end')).toHaveLength(24);
    // One job of the organisation at a time, whichever process ran it: no two item runs overlap.
    const spans: { start: number; end: number }[] = [];
    for (const l of lines) {
      if (l.phase === 'start') spans.push({ start: l.at, end: Infinity });
      else spans.find((s) => s.end === Infinity)!.end = l.at;
    }
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
  });

  it('gives its jobs back on a graceful stop, so another engine continues at once', async () => {
    const r = recordingKind(60_000);
    t = await startTestEngine([r.kind], { concurrency: 1, leaseMs: 60_000 });
    const org = await t.org('acme');
    const submitted = await t.engine.submit({ orgId: org.id, kind: r.kind, input: { items: 2 } });
    await waitForJob(t.engine, t.store, submitted.id, (j) => j.status === 'running');
    await until('its first item has started', () => r.log.length > 0);
    await t.engine.stop(100);

    const released = await jobRow(t.store, submitted.id);
    expect(released.lease_owner).toBeNull();
    expect(Date.parse(released.available_at!)).toBeLessThanOrEqual(Date.now());
    const items = await itemsOf(t.store, submitted.id);
    expect(items.map((i) => [i.status, i.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(r.log[0]!.aborted).toBe(true);

    // Well inside the 60 s lease (waitForJob gives up at 20 s), a second engine takes it over.
    const fast = recordingKind(5);
    const successor = t.sibling({ concurrency: 1 });
    successor.register({ ...fast.kind, name: 'recording-fast' });
    await t.store.db.updateTable('jobs').set({ kind: 'recording-fast' }).where('id', '=', submitted.id).execute();
    successor.start();
    const done = await waitForJob(successor, t.store, submitted.id);
    expect(done.status).toBe('completed');
  });
});
