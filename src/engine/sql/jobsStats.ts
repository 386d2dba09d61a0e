/**
 * An organisation's jobs in figures, for `GET /stats/jobs` and the dashboard's overview: the
 * unfinished jobs by kind and status, the jobs that ended since `from` by kind, status and time
 * bucket, the queued job waiting longest, and the error codes of what failed.
 *
 * Five reads, not one transaction: the figures may disagree by the jobs that moved between
 * them, which a chart refreshed every few seconds does not show. Finished jobs are read through
 * their end time (`jobs_finished`), so the cost grows with the jobs of the window, not with the
 * history; buckets are cut as `bucketOf` says.
 */
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { bucketOf } from '../../store/timeBuckets.ts';
import { MAX_FAILURE_CODES } from '../schemas.ts';

export interface JobStatsWindow {
  /** Bucket starts, oldest first, equally spaced (`timeBuckets`); the window ends at `end`. */
  starts: string[];
  end: string;
  /** The time "now" is: a queued job whose run time is after it is scheduled, not waiting. */
  now: string;
}

export interface JobStatsRows {
  open: { kind: string; status: string; jobs: number }[];
  ended: { kind: string; status: string; bucket: number; jobs: number; itemsSucceeded: number; itemsFailed: number }[];
  oldestQueued: { id: string; kind: string; dueAt: string; createdAt: string } | null;
  failures: { code: string; jobs: number; items: number }[];
}

export async function jobsStatsForOrg(db: Db, orgId: string, kinds: string[], window: JobStatsWindow): Promise<JobStatsRows> {
  if (kinds.length === 0) return { open: [], ended: [], oldestQueued: null, failures: [] };
  const from = window.starts[0]!;
  const jobs = () => db.selectFrom('jobs').where('org_id', '=', orgId).where('kind', 'in', kinds);
  const endedInWindow = () => jobs().where('completed_at', '>=', from).where('completed_at', '<', window.end);

  const [open, ended, oldest, jobCodes, itemCodes] = await Promise.all([
    jobs()
      .select(['kind', 'status', sql<number>`count(*)`.as('jobs')])
      .where('available_at', 'is not', null)
      .groupBy(['kind', 'status'])
      .execute(),
    endedInWindow()
      .select([
        'kind',
        'status',
        bucketOf('completed_at', window.starts).as('bucket'),
        sql<number>`count(*)`.as('jobs'),
        sql<number>`sum(items_succeeded)`.as('items_succeeded'),
        sql<number>`sum(items_failed)`.as('items_failed'),
      ])
      .groupBy(['kind', 'status', 'bucket'])
      .execute(),
    // A queued job's available_at is its run time.
    jobs()
      .select(['id', 'kind', 'available_at', 'created_at'])
      .where('status', '=', 'queued')
      .where('available_at', '<=', window.now)
      .orderBy('available_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst(),
    endedInWindow()
      .select(['error_code', sql<number>`count(*)`.as('n')])
      .where('status', '=', 'failed')
      .where('error_code', 'is not', null)
      .groupBy('error_code')
      .execute(),
    db
      .selectFrom('job_items')
      .innerJoin('jobs', 'jobs.id', 'job_items.job_id')
      .select(['job_items.error_code', sql<number>`count(*)`.as('n')])
      .where('jobs.org_id', '=', orgId)
      .where('jobs.kind', 'in', kinds)
      .where('jobs.completed_at', '>=', from)
      .where('jobs.completed_at', '<', window.end)
      .where('job_items.status', '=', 'failed')
      .where('job_items.error_code', 'is not', null)
      .groupBy('job_items.error_code')
      .execute(),
  ]);

  const codes = new Map<string, { code: string; jobs: number; items: number }>();
  const entry = (code: string) => codes.get(code) ?? codes.set(code, { code, jobs: 0, items: 0 }).get(code)!;
  for (const row of jobCodes) entry(row.error_code!).jobs += Number(row.n);
  for (const row of itemCodes) entry(row.error_code!).items += Number(row.n);
  const failures = [...codes.values()].sort((a, b) => b.jobs + b.items - (a.jobs + a.items) || a.code.localeCompare(b.code)).slice(0, MAX_FAILURE_CODES);

  return {
    open: open.map((r) => ({ kind: r.kind, status: r.status, jobs: Number(r.jobs) })),
    ended: ended.map((r) => ({
      kind: r.kind,
      status: r.status,
      bucket: Number(r.bucket),
      jobs: Number(r.jobs),
      itemsSucceeded: Number(r.items_succeeded ?? 0),
      itemsFailed: Number(r.items_failed ?? 0),
    })),
    oldestQueued: oldest ? { id: oldest.id, kind: oldest.kind, dueAt: oldest.available_at!, createdAt: oldest.created_at } : null,
    failures,
  };
}
