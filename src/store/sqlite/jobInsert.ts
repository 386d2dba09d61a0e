/** Jobs and their items, one INSERT each: SQLite runs in process, so round trips cost nothing. */
import type { Kysely, Selectable } from 'kysely';
import { rowsTable } from '../dialect.ts';
import { ITEM_COLUMNS, JOB_COLUMNS, type NewItem } from '../jobRows.ts';
import type { Database, JobsTable } from '../schema.ts';

export async function jobsInsert(trx: Kysely<Database>, jobs: Selectable<JobsTable>[], items: NewItem[]): Promise<void> {
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
