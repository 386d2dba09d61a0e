/**
 * Jobs and their items, one INSERT each: SQLite runs in process, so round trips cost nothing. A
 * batch goes as one parameter a table (`rowsTable`); a job of one item, the submission at a
 * trickle, as plain VALUES: reading its one row from JSON looked slower, never faster (single
 * submissions on a loaded machine: 475–523 µs against 325–500).
 */
import type { Kysely, Selectable } from 'kysely';
import { rowsTable } from '../dialect.ts';
import { ITEM_COLUMNS, JOB_COLUMNS, type NewItem } from '../jobRows.ts';
import type { Database, JobsTable } from '../schema.ts';

export async function jobsInsert(trx: Kysely<Database>, jobs: Selectable<JobsTable>[], items: NewItem[]): Promise<void> {
  if (jobs.length === 1 && items.length === 1) {
    await trx.insertInto('jobs').values(jobs).execute();
    await trx.insertInto('job_items').values(items).execute();
    return;
  }
  await trx
    .insertInto('jobs')
    .columns(Object.keys(JOB_COLUMNS) as (keyof JobsTable)[])
    .expression((eb) => eb.selectFrom(rowsTable(trx, JOB_COLUMNS, jobs).as('new_job')).selectAll())
    .execute();
  await trx
    .insertInto('job_items')
    .columns(Object.keys(ITEM_COLUMNS) as (keyof NewItem)[])
    .expression((eb) => eb.selectFrom(rowsTable(trx, ITEM_COLUMNS, items).as('new_item')).selectAll())
    .execute();
}
