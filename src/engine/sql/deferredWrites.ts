/**
 * What the engine's updates of many jobs in one transaction write together, at its end: the
 * hooks of the jobs that ended (webhook outbox rows), their events together (`rowsInsert`: one
 * INSERT on PostgreSQL, a few of 64 rows at most on SQLite), and per organisation one count of
 * the jobs that ended. On PostgreSQL each statement is a round
 * trip, so the claim and a group of checkpoints (see `GroupCommit`) pay for these once, not once
 * per job. The sequence numbers were taken already (by the updates of the job rows), so nothing
 * depends on the order they are written in.
 *
 * Lock order: everything here runs after the transaction's last credit-account lock (charges,
 * releases), and takes organisation rows (`engine_org_turns`, also taken by the hooks' own
 * submissions) only from here on. A submission locks its account, then its organisation row;
 * a transaction holding an organisation row never waits for an account, so a group of
 * checkpoints cannot deadlock a submission (found by the two-process scheduling test).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import { rowsInsert } from '../../store/dialect.ts';
import { EVENT_COLUMNS } from '../../store/jobRows.ts';
import type { JobEventsTable } from '../../store/schema.ts';
import type { JobEventType } from '../schemas.ts';
import type { EndedJob, JobFinishedHook } from '../types.ts';

export class DeferredWrites {
  private readonly events: Selectable<JobEventsTable>[] = [];
  private readonly ended = new Map<string, number>();
  private readonly hooks: { job: EndedJob; hooks: readonly JobFinishedHook[] }[] = [];

  event(jobId: string, seq: number, type: JobEventType, data: unknown, at: string): void {
    this.events.push({ job_id: jobId, seq, type, data: JSON.stringify(data), created_at: at });
  }

  /** A job of `orgId` ended: the organisation has one unfinished job fewer (`engine_org_turns`). */
  jobEnded(orgId: string): void {
    this.ended.set(orgId, (this.ended.get(orgId) ?? 0) + 1);
  }

  /** Runs `hooks` on the job that ended, in this transaction, once the rest is done. */
  afterEnd(job: EndedJob, hooks: readonly JobFinishedHook[]): void {
    if (hooks.length > 0) this.hooks.push({ job, hooks });
  }

  async write(trx: Db): Promise<void> {
    await this.writeAllButEvents(trx);
    await this.writeEvents(trx);
  }

  /** The events alone, together (`rowsInsert`): for a caller that gathers more of them afterwards. */
  async writeEvents(trx: Db): Promise<void> {
    if (this.events.length === 0) return;
    await rowsInsert(trx, 'job_events', EVENT_COLUMNS, this.events.splice(0));
  }

  /**
   * The hooks and the organisations' counts now, the events later (`writeEvents`): the engine's
   * group of checkpoints and the claim in its transaction write their events together (one
   * statement per group on PostgreSQL: `npm run bench -- engine`, burn-down), while the
   * organisation rows are still taken before the claim's (the lock order above).
   */
  async writeAllButEvents(trx: Db): Promise<void> {
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
