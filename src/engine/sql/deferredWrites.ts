/**
 * What the engine's updates of many jobs in one transaction write together, at its end: the
 * release of the credits the jobs that ended still have reserved (per organisation one account
 * update, one ledger insert for all), the hooks of those jobs (webhook outbox rows), and per
 * organisation one count of the jobs that ended. On PostgreSQL each statement is a round trip,
 * so a group of checkpoints (see `GroupCommit`) pays for these once, not once per job. Their events are not written: they
 * are derived from the rows (`eventsAfter`).
 *
 * Lock order: the releases come first, after the transaction's charges, taking credit accounts
 * in organisation order as the charges do. Organisation rows (`engine_org_turns`, also taken by
 * the hooks' own submissions) are taken only after them. A submission locks its account, then its organisation row;
 * a transaction holding an organisation row never waits for an account, so a group of
 * checkpoints cannot deadlock a submission (found by the two-process scheduling test). The
 * engine's claim in the same transaction comes after `write` (it takes organisation rows too).
 */
import type { Db } from '../../store/database.ts';
import { creditsReleaseMany } from '../../store/ledger.ts';
import type { EndedJob, JobFinishedHook } from '../types.ts';

export class DeferredWrites {
  private readonly ended: EndedJob[] = [];
  private readonly hooks: { job: EndedJob; hooks: readonly JobFinishedHook[] }[] = [];

  /**
   * A job ended: what it reserved and was not charged goes back (its row, read at `write`, counts
   * every charge of the transaction), and its organisation has one unfinished job fewer.
   */
  jobEnded(job: EndedJob): void {
    this.ended.push(job);
  }

  /** Runs `hooks` on the job that ended, in this transaction, once the rest is done. */
  afterEnd(job: EndedJob, hooks: readonly JobFinishedHook[]): void {
    if (hooks.length > 0) this.hooks.push({ job, hooks });
  }

  async write(trx: Db): Promise<void> {
    const ended = this.ended.splice(0);
    const left = (job: EndedJob) => Number(job.credits_reserved) - Number(job.credits_charged);
    await creditsReleaseMany(
      trx,
      ended.map((job) => ({ orgId: job.org_id, ref: job.id, amount: left(job) })),
    );
    for (const { job, hooks } of this.hooks.splice(0)) for (const hook of hooks) await hook(trx, job);
    const counts = new Map<string, number>();
    for (const job of ended) counts.set(job.org_id, (counts.get(job.org_id) ?? 0) + 1);
    // In organisation order, so two groups of checkpoints take these rows in the same order.
    for (const [orgId, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await trx
        .updateTable('engine_org_turns')
        .set((eb) => ({ active_jobs: eb('active_jobs', '-', count) }))
        .where('org_id', '=', orgId)
        .execute();
    }
  }
}
