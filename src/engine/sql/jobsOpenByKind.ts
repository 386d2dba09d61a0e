/**
 * The queue as Prometheus sees it (`longrun_jobs`, `longrun_queue_oldest_job_age_seconds`): the
 * unfinished jobs of every kind by status, and the oldest time a queued job became due. Read
 * from the database, so every process of a cluster answers the same.
 *
 * One statement over the unfinished jobs only (`available_at is not null`, the condition of the
 * partial index `jobs_available_at`): finished jobs, nearly all of the table at scale, are never
 * read. Its cost grows with the jobs queued and running, not with the history (100,000 queued:
 * see docs/operations.md#metrics); the caller caches it for a few seconds.
 */
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';

export interface OpenJobsOfKind {
  kind: string;
  status: 'queued' | 'running';
  jobs: number;
  /** Of `jobs`, those whose run time has not come (queued only; a running job's is its lease). */
  notYetDue: number;
  /** The earliest run time of those due (queued only); null when none is. */
  oldestDueAt: string | null;
  /**
   * Of running jobs, those no process holds now (`available_at`, their lease's end or the next
   * item's due time, has passed): handed back between items or at a stop, or left by a process
   * gone; any worker takes them over. 0 for queued rows.
   */
  unheld: number;
}

/** The counts by kind and status, and the database's time they were read at (ages are measured from it). */
export async function jobsOpenByKind(db: Db): Promise<{ rows: OpenJobsOfKind[]; now: string }> {
  const now = driverOf(db).now();
  const rows = await db
    .selectFrom('jobs')
    .select([
      'kind',
      'status',
      sql<number>`count(*)`.as('jobs'),
      sql<number>`count(case when available_at > ${now} then 1 end)`.as('not_yet_due'),
      sql<string | null>`min(case when available_at <= ${now} then available_at end)`.as('oldest_due_at'),
      sql<string>`max(${now})`.as('now'),
    ])
    .where('available_at', 'is not', null)
    .groupBy(['kind', 'status'])
    .execute();
  return {
    // With no row, no age is asked: any time will do.
    now: rows[0]?.now ?? new Date().toISOString(),
    rows: rows.map((row) => ({
      kind: row.kind,
      status: row.status as OpenJobsOfKind['status'],
      jobs: Number(row.jobs),
      notYetDue: row.status === 'queued' ? Number(row.not_yet_due) : 0,
      oldestDueAt: row.status === 'queued' ? row.oldest_due_at : null,
      unheld: row.status === 'running' ? Number(row.jobs) - Number(row.not_yet_due) : 0,
    })),
  };
}
