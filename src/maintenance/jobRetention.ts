/**
 * Job retention: jobs that finished more than LONGRUN_RETENTION_DAYS ago are deleted with their
 * items and events. Guarantees: a queued or running job is never deleted, whatever its age; the
 * credit ledger keeps its entries (it is the record of what was billed); what a family keeps per
 * job outside the database (a render's file) is deleted first by its `beforeDelete` hook, and a
 * hook that fails keeps the jobs for the next round, so no file outlives its job's row unnoticed.
 */
import { jobsDeleteFinishedBefore } from '../engine/index.ts';
import type { Db } from '../store/database.ts';
import { HOUR_MS, type MaintenanceTask } from './task.ts';

/** Deletes what a family keeps for the jobs that finished before `before` (ISO time); safe to run again. */
export type BeforeJobRetention = (before: string) => Promise<unknown>;

export function jobRetention(db: Db, retentionDays: number, beforeDelete: BeforeJobRetention[] = []): MaintenanceTask {
  return {
    name: 'jobs.retention',
    everyMs: HOUR_MS,
    async run(now) {
      const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
      for (const hook of beforeDelete) await hook(before);
      return jobsDeleteFinishedBefore(db, before);
    },
  };
}
