/** A job and its items, one INSERT each: SQLite runs in process, so round trips cost nothing. */
import type { Kysely, Selectable } from 'kysely';
import type { NewItem } from '../jobRows.ts';
import type { Database, JobsTable } from '../schema.ts';

/** Items per INSERT: under SQLite's limit on parameters per statement. */
const ITEMS_PER_INSERT = 500;

export async function jobInsert(trx: Kysely<Database>, job: Selectable<JobsTable>, items: NewItem[]): Promise<void> {
  await trx.insertInto('jobs').values(job).execute();
  for (let i = 0; i < items.length; i += ITEMS_PER_INSERT) {
    await trx
      .insertInto('job_items')
      .values(items.slice(i, i + ITEMS_PER_INSERT))
      .execute();
  }
}
