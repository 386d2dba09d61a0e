/**
 * Job retention: jobs that finished more than LONGRUN_RETENTION_DAYS ago are deleted with their
 * items and events. Guarantees: a queued or running job is never deleted, whatever its age; the
 * credit ledger keeps its entries (it is the record of what was billed).
 */
import { jobsDeleteFinishedBefore } from '../engine/index.ts';
import type { Db } from '../store/database.ts';
import { HOUR_MS, type MaintenanceTask } from './task.ts';

export function jobRetention(db: Db, retentionDays: number): MaintenanceTask {
  return {
    name: 'jobs.retention',
    everyMs: HOUR_MS,
    run: (now) => jobsDeleteFinishedBefore(db, new Date(now.getTime() - retentionDays * 86_400_000).toISOString()),
  };
}
