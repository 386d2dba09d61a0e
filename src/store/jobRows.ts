/**
 * The engine's rows as the store inserts them in bulk (`rowsTable`): the columns of a new item,
 * with the type each has on PostgreSQL.
 */
import type { Selectable } from 'kysely';
import type { JobItemsTable } from './schema.ts';

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
