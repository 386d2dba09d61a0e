/** Reads for the routes. Every read is scoped to an organisation: a foreign ID is not found. */
import { compiledOnce } from '../../store/compiledOnce.ts';
import type { Db } from '../../store/database.ts';
import type { JobStatus } from '../../store/schema.ts';
import type { EventRow, ItemRow, JobRow } from '../types.ts';

/** Every status route reads its job: compiled once (see `compiledOnce`). */
const jobForOrg = compiledOnce((db: Db, orgId: string, jobId: string) => db.selectFrom('jobs').selectAll().where('id', '=', jobId).where('org_id', '=', orgId));

export async function jobGetForOrg(db: Db, orgId: string, jobId: string): Promise<JobRow | undefined> {
  return (await jobForOrg(db, orgId, jobId))[0];
}

export async function jobsPageForOrg(
  db: Db,
  orgId: string,
  filter: { kinds: string[]; status?: JobStatus; since?: string; limit: number; offset: number },
): Promise<{ jobs: JobRow[]; total: number }> {
  // Only the kinds asked for, in SQL, so the page and its total count the same rows.
  if (filter.kinds.length === 0) return { jobs: [], total: 0 };
  let query = db.selectFrom('jobs').where('org_id', '=', orgId).where('kind', 'in', filter.kinds);
  if (filter.status) query = query.where('status', '=', filter.status);
  // A job's last change: its submission, an item's end, its own end.
  if (filter.since) query = query.where('updated_at', '>=', filter.since);
  const [jobs, count] = await Promise.all([
    // By creation time: IDs of different kinds have different prefixes and do not sort by time.
    query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { jobs, total: Number(count.n) };
}

/**
 * IDs of the organisation's jobs of `kind` in one of `statuses`, oldest first, at most `limit`.
 * `toRerun`: only jobs with an item that did not succeed and no rerun yet (bulk reruns by kind).
 */
export async function jobIdsForOrgByKind(
  db: Db,
  orgId: string,
  filter: { kind: string; statuses: JobStatus[]; limit: number; toRerun?: boolean },
): Promise<string[]> {
  let query = db.selectFrom('jobs').select('id').where('org_id', '=', orgId).where('kind', '=', filter.kind).where('status', 'in', filter.statuses);
  if (filter.toRerun) {
    query = query
      .where((eb) => eb('items_succeeded', '<', eb.ref('items_total')))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job_reruns').select('job_reruns.job_id').whereRef('job_reruns.rerun_of', '=', 'jobs.id'))));
  }
  const rows = await query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
  return rows.map((r) => r.id);
}

export async function itemsPageForJob(db: Db, jobId: string, page: { limit: number; offset: number }): Promise<{ items: ItemRow[]; total: number }> {
  const [items, count] = await Promise.all([
    db.selectFrom('job_items').selectAll().where('job_id', '=', jobId).orderBy('seq').limit(page.limit).offset(page.offset).execute(),
    db
      .selectFrom('job_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

export async function itemsAllForJob(db: Db, jobId: string): Promise<ItemRow[]> {
  return db.selectFrom('job_items').selectAll().where('job_id', '=', jobId).orderBy('seq').execute();
}

export async function eventsAfter(db: Db, jobId: string, afterSeq: number): Promise<EventRow[]> {
  return db
    .selectFrom('job_events')
    .select(['seq', 'type', 'data', 'created_at'])
    .where('job_id', '=', jobId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .execute();
}
