/**
 * The lease keeper (src/engine/leaseKeeper.ts): one statement a beat renews the lease of every
 * job the process holds, and a job whose lease is gone is stopped, the others kept.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineKind } from '../../src/engine/kind.ts';
import { JobStop } from '../../src/engine/jobStop.ts';
import { LeaseKeeper } from '../../src/engine/leaseKeeper.ts';
import { jobsClaim } from '../../src/engine/sql/jobsClaim.ts';
import { jobRow, silentLog, startTestEngine, type TestEngine } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';

let t: TestEngine;
let keeper: LeaseKeeper | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await keeper?.stop();
  await t?.close();
});

const held = defineKind<Record<string, never>>({ name: 'held', async process() {} });
const OWNER = 'lease-keeper-test';
const LEASE_MS = 600;

describe('LeaseKeeper', () => {
  it('renews every held lease in each beat and stops only the job whose lease is gone', async () => {
    t = await startTestEngine([held], {}, false); // the engine's own workers stay off: OWNER holds the jobs
    const org = await t.org('acme', 0);
    for (let i = 0; i < 3; i++) await t.engine.submit({ orgId: org.id, kind: held, input: {} });
    const claim = await jobsClaim(t.store.db, { owner: OWNER, leaseMs: LEASE_MS, limit: 3, orgConcurrency: 3 });
    const stops = new Map(claim.jobs.map(({ job }) => [job.id, new JobStop()]));
    expect(stops.size).toBe(3);
    const [lost, ...kept] = [...stops.keys()];
    const leaseOf = async (id: string) => Date.parse((await jobRow(t.store, id)).lease_expires_at!);
    const claimedUntil = new Map(await Promise.all([...stops.keys()].map(async (id) => [id, await leaseOf(id)] as const)));

    keeper = new LeaseKeeper(t.store.db, OWNER, LEASE_MS, () => stops.entries(), silentLog);
    keeper.start();
    // Each job's lease is pushed out two leases past its first expiry (renewed beat after beat), none stopped.
    await until('every lease is renewed well past its first expiry', async () => {
      for (const id of stops.keys()) if ((await leaseOf(id)) <= claimedUntil.get(id)! + 2 * LEASE_MS) return false;
      return true;
    });
    for (const [id, stop] of stops) {
      expect((await jobRow(t.store, id)).lease_owner).toBe(OWNER);
      expect(stop.stopped).toBe(false);
    }

    // Another worker took one job: the next beat stops it, and leaves its lease alone.
    await t.store.db.updateTable('jobs').set({ lease_owner: 'someone-else' }).where('id', '=', lost!).execute();
    const takenUntil = await leaseOf(lost!);
    await until('the job whose lease was taken stops', () => stops.get(lost!)!.stopped);
    expect(await leaseOf(lost!)).toBe(takenUntil);
    expect((await jobRow(t.store, lost!)).lease_owner).toBe('someone-else');
    for (const id of kept) expect(stops.get(id)!.stopped).toBe(false);
    const before = await Promise.all(kept.map(leaseOf));
    await until('the others are renewed again', async () => (await Promise.all(kept.map(leaseOf))).every((at, i) => at > before[i]!));
  });

  it('does nothing while the process holds no job, and stops beating when stopped', async () => {
    t = await startTestEngine([held], {}, false);
    // A controlled clock: "no beat after stop" is then ten periods that certainly passed, not a pause.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    let asked = 0;
    keeper = new LeaseKeeper(t.store.db, OWNER, LEASE_MS, () => (asked++, []), silentLog);
    keeper.start();
    await vi.advanceTimersByTimeAsync(2 * keeper.periodMs);
    expect(asked).toBe(2);
    await keeper.stop();
    await vi.advanceTimersByTimeAsync(10 * keeper.periodMs);
    expect(asked).toBe(2);
  });
});
