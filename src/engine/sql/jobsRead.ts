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
  filter: { kinds: string[]; status?: JobStatus; createdFrom?: string; createdTo?: string; since?: string; limit: number; offset: number },
): Promise<{ jobs: JobRow[]; total: number }> {
  // Only the kinds asked for, in SQL, so the page and its total count the same rows.
  if (filter.kinds.length === 0) return { jobs: [], total: 0 };
  let query = db.selectFrom('jobs').where('org_id', '=', orgId).where('kind', 'in', filter.kinds);
  if (filter.status) query = query.where('status', '=', filter.status);
  // Instants as the store writes them (ISO 8601 in UTC), which compare as text on SQLite too.
  if (filter.createdFrom) query = query.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) query = query.where('created_at', '<', filter.createdTo);
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

/** What of a job its derived events are made of (`eventsDerived`). */
const EVENT_JOB_COLUMNS = [
  'kind',
  'status',
  'items_total',
  'items_succeeded',
  'items_failed',
  'credits_charged',
  'error_code',
  'error_message',
  'run_at',
  'last_event_seq',
  'created_at',
  'started_at',
  'completed_at',
] as const;
type EventJob = Pick<JobRow, (typeof EVENT_JOB_COLUMNS)[number]>;
type EventItem = Pick<ItemRow, 'key' | 'status' | 'error_code' | 'error_message' | 'finished_at' | 'end_seq'>;

/** The items whose end event's number is in (afterSeq, last]: read by `job_items_ended`, not by walking the job's items. */
export function itemsEndedBetween(db: Db, jobId: string, afterSeq: number, last: number) {
  return db
    .selectFrom('job_items')
    .select(['key', 'status', 'error_code', 'error_message', 'finished_at', 'end_seq'])
    .where('job_id', '=', jobId)
    .where('end_seq', '>', afterSeq)
    .where('end_seq', '<=', last);
}

/**
 * A job's events after `afterSeq`, in order: its lifecycle events derived from its row and its
 * items' rows (`eventsDerived`), and the events stored as rows (progress; every event of a job
 * that ran before they were derived). A stored event wins over a derived one with its number,
 * so older jobs replay as they were stored. The job is read first and nothing past its
 * `last_event_seq` is answered: every number up to it has committed (numbers are taken under
 * the job row's lock), so a later read never finds a gap before what this one answered.
 */
export async function eventsAfter(db: Db, jobId: string, afterSeq: number): Promise<EventRow[]> {
  const job = await db.selectFrom('jobs').select(EVENT_JOB_COLUMNS).where('id', '=', jobId).executeTakeFirst();
  if (!job || job.last_event_seq <= afterSeq) return [];
  const last = job.last_event_seq;
  const [stored, items] = await Promise.all([
    db
      .selectFrom('job_events')
      .select(['seq', 'type', 'data', 'created_at'])
      .where('job_id', '=', jobId)
      .where('seq', '>', afterSeq)
      .where('seq', '<=', last)
      .execute(),
    itemsEndedBetween(db, jobId, afterSeq, last).execute(),
  ]);
  const bySeq = new Map(eventsDerived(job, items).map((event) => [event.seq, event]));
  for (const event of stored) bySeq.set(event.seq, event);
  return [...bySeq.values()].filter((event) => event.seq > afterSeq).sort((a, b) => a.seq - b.seq);
}

/**
 * The lifecycle events a job's row and its ended items' rows say it had, as they were written
 * when they were stored (same keys in the same order, same times): `job.queued` (1), `job.started`
 * (2, once it started: only its first start takes a number), each item's end (its `end_seq`),
 * and its end (its last number).
 */
function eventsDerived(job: EventJob, items: EventItem[]): EventRow[] {
  const event = (seq: number, type: string, data: unknown, at: string): EventRow => ({ seq, type, data: JSON.stringify(data), created_at: at });
  const events = [event(1, 'job.queued', { kind: job.kind, items: job.items_total, runAt: job.run_at }, job.created_at)];
  if (job.started_at !== null) events.push(event(2, 'job.started', { attempt: 1 }, job.started_at));
  for (const item of items) {
    if (item.end_seq === null || item.finished_at === null) continue;
    const failed = item.status === 'failed' ? { errorCode: item.error_code, errorMessage: item.error_message } : {};
    events.push(event(item.end_seq, `item.${item.status}`, { key: item.key, ...failed }, item.finished_at));
  }
  if (job.completed_at !== null) {
    const error = job.error_code ? { errorCode: job.error_code, errorMessage: job.error_message ?? undefined } : {};
    const { items_total: total, items_succeeded: succeeded, items_failed: failed } = job;
    const counts = { status: job.status, succeeded, failed, total, canceled: total - succeeded - failed, creditsCharged: job.credits_charged };
    events.push(event(job.last_event_seq, `job.${job.status}`, { ...counts, ...error }, job.completed_at));
  }
  return events;
}
