import { afterEach, describe, expect, it } from 'vitest';
import { defineKind, itemsAllForJob } from '../../src/engine/index.ts';
import { newId } from '../../src/ids.ts';
import { startTestEngine, waitForJob, type TestEngine } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';

/**
 * A job submitted in a caller's transaction (`Engine.submitIn`) wakes the workers when that
 * transaction commits, by itself: the caller makes no other call. The claimer sleeps up to
 * ten minutes without a signal here, so only that wake-up can explain a prompt start.
 */
const noop = defineKind({ name: 'noop', process: async () => 'done' });
const IDLE_MAX_MS = 600_000;

let t: TestEngine;
afterEach(() => t?.close());

/** Started, its first claim made and found nothing: the claimer sleeps until a signal. */
async function idleEngine(): Promise<TestEngine> {
  const engine = await startTestEngine([noop], { idleMaxMs: IDLE_MAX_MS });
  await until('the claimer has looked once and sleeps', () => engine.engine.activity().claimRounds > 0 && engine.engine.activity().claimerAsleep);
  return engine;
}

describe('a job submitted in a caller’s transaction', () => {
  it('is claimed when the transaction commits, with no call of the caller’s', async () => {
    t = await idleEngine();
    const org = await t.org('acme');
    const job = await t.store.db.transaction().execute(async (trx) => {
      const submitted = await t.engine.submitIn(trx, { orgId: org.id, kind: noop, input: {} });
      // Other rows of the caller's, committed with the job.
      await trx.updateTable('organisations').set({ name: 'acme (busy)' }).where('id', '=', org.id).execute();
      return submitted;
    });
    const done = await waitForJob(t.engine, t.store, job.id, undefined, 10_000);
    expect(done.status).toBe('completed');
  });

  it('is claimed when submitted outside a transaction too', async () => {
    t = await idleEngine();
    const org = await t.org('acme');
    const job = await t.engine.submitIn(t.store.db, { orgId: org.id, kind: noop, input: {} });
    expect((await waitForJob(t.engine, t.store, job.id, undefined, 10_000)).status).toBe('completed');
  });

  it('rolled back, leaves no job and wakes no one', async () => {
    t = await idleEngine();
    const org = await t.org('acme');
    const id = newId('job');
    const signalled: string[] = [];
    const stopJob = t.engine.signals.onJobChanged(id, () => signalled.push('job'));
    const stopWork = t.engine.signals.onWork(() => signalled.push('work'));
    const roundsBefore = t.engine.activity().claimRounds;
    await expect(
      t.store.db.transaction().execute(async (trx) => {
        await t.engine.submitIn(trx, { id, orgId: org.id, kind: noop, input: {} });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A wake-up is synchronous (the claimer leaves its sleep at once), so by now one would show.
    expect(signalled).toEqual([]);
    expect(t.engine.activity()).toMatchObject({ claimerAsleep: true, claimRounds: roundsBefore });
    expect(await t.store.db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect(await itemsAllForJob(t.store.db, id)).toEqual([]);

    // The next transaction's hooks are its own: the rolled-back job's wake-up never comes.
    const next = await t.store.db.transaction().execute((trx) => t.engine.submitIn(trx, { orgId: org.id, kind: noop, input: {} }));
    expect((await waitForJob(t.engine, t.store, next.id, undefined, 10_000)).status).toBe('completed');
    expect(signalled).not.toContain('job');
    stopJob();
    stopWork();
  });
});
