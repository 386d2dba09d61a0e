/**
 * Leases and due times by the database's clock (`Driver.now`): on PostgreSQL a worker whose
 * clock is ten minutes wrong neither loses its lease nor takes another's, nor runs a job early,
 * nor leaves a job it gives back waiting. The process's clock is skewed with a fake `Date`
 * (timers stay real). On SQLite every process runs on the machine that holds the file, so its
 * clock is the database's clock: there is no skew to test there.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { jobLeaseReleaseIfOwner, jobsLeaseRenewIfOwner } from '../../src/engine/sql/jobLease.ts';
import { jobsClaim } from '../../src/engine/sql/jobsClaim.ts';
import { jobRow, startTestEngine, type TestEngine } from '../helpers/testEngine.ts';

let t: TestEngine;
afterEach(async () => {
  vi.useRealTimers();
  await t?.close();
});

const held = defineKind<Record<string, never>>({ name: 'held', async process() {} });
const TEN_MINUTES = 10 * 60_000;
const LEASE_MS = 60_000;
/** How far apart a time the database wrote and its `now()` read just after may be. */
const CLOSE_MS = 5_000;

/** From here on this process's clock runs `skewMs` off the database's (and keeps running). */
function skewClock(skewMs: number): void {
  vi.useRealTimers();
  const real = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: real + skewMs });
}

async function databaseNow(): Promise<number> {
  const { rows } = await sql<{ now: string }>`select now() as now`.execute(t.store.db);
  return Date.parse(rows[0]!.now);
}

const claim = (owner: string) => jobsClaim(t.store.db, { owner, leaseMs: LEASE_MS, limit: 10, orgConcurrency: 10 });

async function leaseLeft(id: string): Promise<number> {
  return Date.parse((await jobRow(t.store, id)).lease_expires_at!) - (await databaseNow());
}

describe('leases and due times on PostgreSQL', () => {
  it('a worker whose clock is ten minutes slow holds its lease: claimed and renewed, it runs a lease past the database’s now', async () => {
    t = await startTestEngine([held], {}, false);
    const org = await t.org('acme', 0);
    const job = await t.engine.submit({ orgId: org.id, kind: held, input: {} });

    skewClock(-TEN_MINUTES);
    expect((await claim('slow')).jobs.map((c) => c.job.id)).toEqual([job.id]);
    vi.useRealTimers();
    expect(Math.abs((await leaseLeft(job.id)) - LEASE_MS)).toBeLessThan(CLOSE_MS);
    expect((await claim('on-time')).jobs).toEqual([]);

    skewClock(-TEN_MINUTES);
    expect(await jobsLeaseRenewIfOwner(t.store.db, [job.id], 'slow', LEASE_MS)).toEqual(new Set([job.id]));
    vi.useRealTimers();
    expect(Math.abs((await leaseLeft(job.id)) - LEASE_MS)).toBeLessThan(CLOSE_MS);
    expect((await claim('on-time')).jobs).toEqual([]);
    expect((await jobRow(t.store, job.id)).lease_owner).toBe('slow');
  });

  it('a worker whose clock is ten minutes fast takes neither a job leased to another nor one not due yet', async () => {
    t = await startTestEngine([held], {}, false);
    const org = await t.org('acme', 0);
    const leased = await t.engine.submit({ orgId: org.id, kind: held, input: {} });
    expect((await claim('on-time')).jobs.map((c) => c.job.id)).toEqual([leased.id]);
    const delayed = await t.engine.submit({ orgId: org.id, kind: held, input: {}, runAt: new Date(Date.now() + 5 * 60_000) });

    skewClock(TEN_MINUTES);
    expect((await claim('fast')).jobs).toEqual([]);
    vi.useRealTimers();
    expect((await jobRow(t.store, leased.id)).lease_owner).toBe('on-time');
    expect((await jobRow(t.store, delayed.id)).status).toBe('queued');
  });

  it('a job submitted or given back by a worker whose clock is fast is due at once by the database’s clock', async () => {
    t = await startTestEngine([held], {}, false);
    const org = await t.org('acme', 0);

    skewClock(TEN_MINUTES);
    const submitted = await t.engine.submit({ orgId: org.id, kind: held, input: {} });
    vi.useRealTimers();
    expect((await claim('on-time')).jobs.map((c) => c.job.id)).toEqual([submitted.id]);

    skewClock(TEN_MINUTES);
    expect(await jobLeaseReleaseIfOwner(t.store.db, submitted.id, 'on-time')).toBe(true);
    vi.useRealTimers();
    expect((await claim('another')).jobs.map((c) => c.job.id)).toEqual([submitted.id]);
  });
});
