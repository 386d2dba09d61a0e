/**
 * When a claim took every claimable job (`Claim.drained`), a job's end claims nothing more; when
 * jobs were left waiting for a place (an organisation's limit, a serial queue), a job's end
 * lets the next one start at once, not at the idle claimer's next look.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { defineKind } from '../../src/engine/kind.ts';
import * as claimModule from '../../src/engine/sql/jobsClaim.ts';
import * as maintenanceModule from '../../src/engine/sql/jobsMaintenance.ts';
import { jobRow, startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { untilEngineIdle } from '../helpers/wait.ts';

// Counts the engine's claims: its claimer's (`jobsClaim`) and those in a checkpoint's
// transaction (`jobsClaimIn`); `jobsClaim` calling `jobsClaimIn` inside the module is not counted.
vi.mock('../../src/engine/sql/jobsClaim.ts', async (original) => {
  const actual = await original<typeof import('../../src/engine/sql/jobsClaim.ts')>();
  return { ...actual, jobsClaim: vi.fn(actual.jobsClaim), jobsClaimIn: vi.fn(actual.jobsClaimIn) };
});
// Lets a test hide from the idle claimer that a job is due (see `withoutTheClaimersNextLook`).
vi.mock('../../src/engine/sql/jobsMaintenance.ts', async (original) => {
  const actual = await original<typeof import('../../src/engine/sql/jobsMaintenance.ts')>();
  return { ...actual, jobsNextAvailableIn: vi.fn(actual.jobsNextAvailableIn) };
});

let t: TestEngine;
afterEach(async () => {
  await t?.close();
  vi.mocked(maintenanceModule.jobsNextAvailableIn).mockReset();
});

/**
 * Takes away the idle claimer's own next look: it is told no job is ever due, so it sleeps
 * `idleMaxMs` (a minute, past the test's timeout) unless a signal wakes it. A job waiting for
 * its place then starts only because another job's end made it start, not because the claimer
 * looked again a second later (its look when a due job is held back).
 */
const withoutTheClaimersNextLook = { idleMaxMs: 60_000 };
function hideDueJobsFromTheClaimer(): void {
  vi.mocked(maintenanceModule.jobsNextAvailableIn).mockResolvedValue(null);
}

const work = defineKind<{ ms: number }>({
  name: 'work',
  async process({ input }) {
    await sleepMs(input.ms);
    return null;
  },
});

describe('a drained queue', () => {
  it('at a steady trickle, each job starts with its submission and a job that ends claims nothing', async () => {
    t = await startTestEngine([work], { concurrency: 2, prefetch: 4, orgConcurrency: 6 });
    const org = await t.org('trickle');
    await untilEngineIdle(t.engine); // the claimer's first, empty look
    vi.mocked(claimModule.jobsClaim).mockClear();
    vi.mocked(claimModule.jobsClaimIn).mockClear();
    for (let i = 0; i < 8; i++) {
      const job = await t.engine.submit({ orgId: org.id, kind: work, input: { ms: 5 } });
      const done = await waitForJob(t.engine, t.store, job.id);
      expect(done.status).toBe('completed');
      // Started by the transaction that submitted it (`submitAndStart`), at the same instant.
      expect(done.started_at).toBe(done.created_at);
      // The claimer has looked again since the job's end freed its place (and found no reason to claim).
      await untilEngineIdle(t.engine);
    }
    // No claim transaction of its own, and no claim in the transaction that ends a job.
    expect(vi.mocked(claimModule.jobsClaim).mock.calls.length).toBe(0);
    expect(vi.mocked(claimModule.jobsClaimIn).mock.calls.length).toBe(0);
  });

  it('a job started by its submission while the engine stops is given back, not left leased', async () => {
    t = await startTestEngine([work], { concurrency: 2, prefetch: 4, orgConcurrency: 6 });
    const org = await t.org('stopping');
    await untilEngineIdle(t.engine); // the claimer's first, empty look: the next submission starts its job
    const submitted = t.engine.submit({ orgId: org.id, kind: work, input: { ms: 10_000 } });
    await t.engine.stop(50);
    const job = await jobRow(t.store, (await submitted).id);
    expect(job.started_at).toBe(job.created_at);
    expect(job.lease_owner).toBeNull();
    expect(job.completed_at).toBeNull();
  });

  it('with jobs waiting on their organisation’s limit, each end starts the next at once', async () => {
    hideDueJobsFromTheClaimer();
    t = await startTestEngine([work], { concurrency: 4, orgConcurrency: 1, ...withoutTheClaimersNextLook });
    const org = await t.org('limited');
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await t.engine.submit({ orgId: org.id, kind: work, input: { ms: 30 } }));
    for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    const rows = await Promise.all(jobs.map((job) => jobRow(t.store, job.id)));
    rows.sort((a, b) => (a.started_at! < b.started_at! ? -1 : 1));
    // Each job after the first started because the one before it ended: the claimer, told of no
    // due job, would have slept a minute (past waitForJob's 20 s).
    for (let i = 1; i < rows.length; i++) {
      // One at a time, though the first was started by its submission and the next three were
      // submitted to an engine that had room (the limit is counted there too).
      expect(rows[i]!.started_at! >= rows[i - 1]!.completed_at!).toBe(true);
    }
    expect(rows[0]!.started_at).toBe(rows[0]!.created_at);
  });

  it('with jobs waiting in a serial queue, each end starts the queue’s next at once', async () => {
    hideDueJobsFromTheClaimer();
    t = await startTestEngine([work], { concurrency: 4, orgConcurrency: 4, ...withoutTheClaimersNextLook });
    const org = await t.org('serial');
    const jobs = [];
    for (let i = 0; i < 4; i++) jobs.push(await t.engine.submit({ orgId: org.id, kind: work, input: { ms: 30 }, queue: 'one-at-a-time' }));
    for (const job of jobs) expect((await waitForJob(t.engine, t.store, job.id)).status).toBe('completed');
    const rows = await Promise.all(jobs.map((job) => jobRow(t.store, job.id)));
    // As above: each start came from the previous job's end, not from a look a minute later.
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.started_at! >= rows[i - 1]!.completed_at!).toBe(true);
  });
});
