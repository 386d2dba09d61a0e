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
  filter: { kinds: string[]; status?: JobStatus; createdFrom?: string; createdTo?: string; limit: number; offset: number },
): Promise<{ jobs: JobRow[]; total: number }> {
  // Only the kinds asked for, in SQL, so the page and its total count the same rows.
  if (filter.kinds.length === 0) return { jobs: [], total: 0 };
  let query = db.selectFrom('jobs').where('org_id', '=', orgId).where('kind', 'in', filter.kinds);
  if (filter.status) query = query.where('status', '=', filter.status);
  // Instants as the store writes them (ISO 8601 in UTC), which compare as text on SQLite too.
  if (filter.createdFrom) query = query.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) query = query.where('created_at', '<', filter.createdTo);
  const [jobs, count] = await Promise.all([
    // By creation time: IDs of different kinds have different prefixes and do not sort by time.
    query.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { jobs, total: Number(count.n) };
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
