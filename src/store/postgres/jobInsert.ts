/**
 * A job, its items and its first events in one statement (data-modifying WITH queries; the
 * items' foreign key is checked at its end), so a submission pays one round trip for them, not
 * three: round trips were most of a job's enqueue-to-start time (`npm run bench -- engine
 * --shapes=steady`). The rows go as arrays (`rowsTable`), so a job of any size is one statement
 * of a few parameters.
 */
import type { Kysely, Selectable } from 'kysely';
import { rowsTable } from '../dialect.ts';
import { EVENT_COLUMNS, ITEM_COLUMNS, type NewItem } from '../jobRows.ts';
import type { Database, JobEventsTable, JobsTable } from '../schema.ts';

export async function jobInsert(trx: Kysely<Database>, job: Selectable<JobsTable>, items: NewItem[], events: Selectable<JobEventsTable>[]): Promise<void> {
  const itemRows = rowsTable(trx, ITEM_COLUMNS, items);
  const eventRows = rowsTable(trx, EVENT_COLUMNS, events);
  await trx
    .with('job', (db) => db.insertInto('jobs').values(job).returning('id'))
    .with('item', (db) =>
      db
        .insertInto('job_items')
        .columns(Object.keys(ITEM_COLUMNS) as (keyof NewItem)[])
        .expression((eb) => eb.selectFrom(itemRows.as('new_item')).selectAll())
        .returning('seq'),
    )
    .insertInto('job_events')
    .columns(Object.keys(EVENT_COLUMNS) as (keyof typeof EVENT_COLUMNS)[])
    .expression((eb) => eb.selectFrom(eventRows.as('new_event')).selectAll())
    .execute();
}
