/**
 * What the engine's updates of many jobs in one transaction write together, at its end: the
 * hooks of the jobs that ended (webhook outbox rows), and per organisation one count of the jobs
 * that ended. On PostgreSQL each statement is a round trip, so a group of checkpoints (see
 * `GroupCommit`) pays for these once, not once per job. Their events are not written: they
 * are derived from the rows (`eventsAfter`).
 *
 * Lock order: everything here runs after the transaction's last credit-account lock (charges,
 * releases), and takes organisation rows (`engine_org_turns`, also taken by the hooks' own
 * submissions) only from here on. A submission locks its account, then its organisation row;
 * a transaction holding an organisation row never waits for an account, so a group of
 * checkpoints cannot deadlock a submission (found by the two-process scheduling test). The
 * engine's claim in the same transaction comes after `write` (it takes organisation rows too).
 */
import type { Db } from '../../store/database.ts';
import type { EndedJob, JobFinishedHook } from '../types.ts';

export class DeferredWrites {
  private readonly ended = new Map<string, number>();
  private readonly hooks: { job: EndedJob; hooks: readonly JobFinishedHook[] }[] = [];

  /** A job of `orgId` ended: the organisation has one unfinished job fewer (`engine_org_turns`). */
  jobEnded(orgId: string): void {
    this.ended.set(orgId, (this.ended.get(orgId) ?? 0) + 1);
  }

  /** Runs `hooks` on the job that ended, in this transaction, once the rest is done. */
  afterEnd(job: EndedJob, hooks: readonly JobFinishedHook[]): void {
    if (hooks.length > 0) this.hooks.push({ job, hooks });
  }

  async write(trx: Db): Promise<void> {
    for (const { job, hooks } of this.hooks.splice(0)) for (const hook of hooks) await hook(trx, job);
    // In organisation order, so two groups of checkpoints take these rows in the same order.
    for (const [orgId, count] of [...this.ended].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await trx
        .updateTable('engine_org_turns')
        .set((eb) => ({ active_jobs: eb('active_jobs', '-', count) }))
        .where('org_id', '=', orgId)
        .execute();
    }
    this.ended.clear();
  }
}
