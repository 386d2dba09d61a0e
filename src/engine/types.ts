/**
 * The engine's rows as its callers see them: a job, its items, its events, a job as it ends.
 * Read from the database as they are stored (JSON columns as text, times as ISO strings).
 */
import type { Selectable } from 'kysely';
import type { Db } from '../store/database.ts';
import type { JobItemsTable, JobsTable } from '../store/schema.ts';

export type JobRow = Selectable<JobsTable>;

export type ItemRow = Selectable<JobItemsTable>;

export interface EventRow {
  seq: number;
  type: string;
  data: string;
  created_at: string;
}

/** The types of a job's events, in the order a job can meet them. */
export type { JobEventType } from './schemas.ts';

/**
 * What the statements that end jobs return of each: its end and its counts, not its input or
 * output. Each column returned costs time a row on SQLite (see `HELD_JOB_COLUMNS`); returning
 * the whole row doubles the time of ending a group of jobs
 * (`npm run bench -- engine`). A hook that needs more reads it.
 */
export const ENDED_JOB_COLUMNS = [
  'id',
  'org_id',
  'kind',
  'status',
  'error_code',
  'error_message',
  'items_total',
  'items_succeeded',
  'items_failed',
  'credits_reserved',
  'credits_charged',
  'last_event_seq',
  'created_at',
  // A job's duration, from its first start, is told to observers (`EngineObserver.jobEnded`).
  'started_at',
  'completed_at',
  'updated_at',
] as const;
export type EndedJob = Pick<JobRow, (typeof ENDED_JOB_COLUMNS)[number]>;

/** Called inside the transaction that finishes a job; webhooks write their outbox rows here. */
export type JobFinishedHook = (trx: Db, job: EndedJob) => Promise<void>;
