/**
 * Jobs and their items in one statement (a data-modifying WITH query; the items' foreign key is
 * checked at its end), so a submission pays one round trip for them, not two: round trips were
 * most of a job's enqueue-to-start time (`npm run bench -- engine --shapes=steady`). The rows go
 * as arrays (`rowsTable`), so one job or a batch of any size is one statement of a few parameters.
 */
import type { Kysely, Selectable } from 'kysely';
import { rowsTable } from '../dialect.ts';
import { ITEM_COLUMNS, JOB_COLUMNS, type NewItem } from '../jobRows.ts';
import type { Database, JobsTable } from '../schema.ts';

export async function jobsInsert(trx: Kysely<Database>, jobs: Selectable<JobsTable>[], items: NewItem[]): Promise<void> {
  const jobRows = rowsTable(trx, JOB_COLUMNS, jobs);
  const itemRows = rowsTable(trx, ITEM_COLUMNS, items);
  await trx
    .with('job', (db) =>
      db
        .insertInto('jobs')
        .columns(Object.keys(JOB_COLUMNS) as (keyof JobsTable)[])
        .expression((eb) => eb.selectFrom(jobRows.as('new_job')).selectAll())
        .returning('id'),
    )
    .insertInto('job_items')
    .columns(Object.keys(ITEM_COLUMNS) as (keyof NewItem)[])
    .expression((eb) => eb.selectFrom(itemRows.as('new_item')).selectAll())
    .execute();
}
