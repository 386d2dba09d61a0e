/**
 * The engine's rows as the store inserts them in bulk (`rowsTable`): the columns of a new job
 * and of a new item, with the type each has on PostgreSQL.
 */
import type { Selectable } from 'kysely';
import type { ColumnType } from './dialect.ts';
import type { JobItemsTable, JobsTable } from './schema.ts';

export const JOB_COLUMNS: { [Name in keyof Selectable<JobsTable>]: ColumnType } = {
  id: 'text',
  org_id: 'text',
  kind: 'text',
  status: 'text',
  input: 'json',
  output: 'json',
  error_code: 'text',
  error_message: 'text',
  priority: 'integer',
  attempts: 'integer',
  run_at: 'timestamptz',
  available_at: 'timestamptz',
  lease_owner: 'text',
  lease_expires_at: 'timestamptz',
  items_total: 'integer',
  items_succeeded: 'integer',
  items_failed: 'integer',
  credits_reserved: 'integer',
  credits_charged: 'integer',
  last_event_seq: 'integer',
  progress: 'real',
  queue: 'text',
  trace_context: 'jsonb',
  created_at: 'timestamptz',
  started_at: 'timestamptz',
  completed_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/** A new item: what differs from item to item (the rest starts empty). */
export type NewItem = Pick<Selectable<JobItemsTable>, 'job_id' | 'seq' | 'key' | 'status' | 'input' | 'attempts' | 'available_at' | 'started_at'>;

export const ITEM_COLUMNS = {
  job_id: 'text',
  seq: 'integer',
  key: 'text',
  status: 'text',
  input: 'json',
  attempts: 'integer',
  available_at: 'timestamptz',
  started_at: 'timestamptz',
} as const;
