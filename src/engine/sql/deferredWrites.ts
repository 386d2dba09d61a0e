/**
 * Rows that the engine's updates of many jobs in one transaction write together, at its end:
 * their events in one multi-row INSERT, and per organisation one count of the jobs that ended.
 * On PostgreSQL each statement is a round trip, so the claim and a group of checkpoints (see
 * `GroupCommit`) pay for these once, not once per job. The sequence numbers were taken already
 * (by the updates of the job rows), so nothing depends on the order they are written in.
 */
import type { Insertable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { JobEventsTable } from '../../store/schema.ts';
import type { JobEventType } from './eventAppend.ts';

/** Rows per INSERT: five parameters each stays far below either database's limit. */
const EVENTS_PER_INSERT = 500;

export class DeferredWrites {
  private readonly events: Insertable<JobEventsTable>[] = [];
  private readonly ended = new Map<string, number>();

  event(jobId: string, seq: number, type: JobEventType, data: unknown, at: string): void {
    this.events.push({ job_id: jobId, seq, type, data: JSON.stringify(data), created_at: at });
  }

  /** A job of `orgId` ended: the organisation has one unfinished job fewer (`engine_org_turns`). */
  jobEnded(orgId: string): void {
    this.ended.set(orgId, (this.ended.get(orgId) ?? 0) + 1);
  }

  async write(trx: Db): Promise<void> {
    for (let i = 0; i < this.events.length; i += EVENTS_PER_INSERT) {
      await trx.insertInto('job_events').values(this.events.slice(i, i + EVENTS_PER_INSERT)).execute();
    }
    for (const [orgId, count] of this.ended) {
      await trx
        .updateTable('engine_org_turns')
        .set((eb) => ({ active_jobs: eb('active_jobs', '-', count) }))
        .where('org_id', '=', orgId)
        .execute();
    }
  }
}
