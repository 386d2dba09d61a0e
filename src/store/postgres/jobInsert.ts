/**
 * A job and its items in one statement (a data-modifying WITH query; the items' foreign key is
 * checked at its end), so a submission pays one round trip for them, not two: round trips were
 * most of a job's enqueue-to-start time (`npm run bench -- engine --shapes=steady`). The items
 * go as arrays (`rowsTable`), so a job of any size is one statement of a few parameters.
 */
import type { Kysely, Selectable } from 'kysely';
import { rowsTable } from '../dialect.ts';
import { ITEM_COLUMNS, type NewItem } from '../jobRows.ts';
import type { Database, JobsTable } from '../schema.ts';

export async function jobInsert(trx: Kysely<Database>, job: Selectable<JobsTable>, items: NewItem[]): Promise<void> {
  const itemRows = rowsTable(trx, ITEM_COLUMNS, items);
  await trx
    .with('job', (db) => db.insertInto('jobs').values(job).returning('id'))
    .insertInto('job_items')
    .columns(Object.keys(ITEM_COLUMNS) as (keyof NewItem)[])
    .expression((eb) => eb.selectFrom(itemRows.as('new_item')).selectAll())
    .execute();
}
