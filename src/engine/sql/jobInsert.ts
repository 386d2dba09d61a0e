import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import { dialectOf, rowsTable } from '../../store/dialect.ts';
import type { JobEventsTable, JobItemsTable, JobsTable } from '../../store/schema.ts';
import { EVENT_COLUMNS } from './deferredWrites.ts';

/** A new item: what differs from item to item (the rest starts empty). */
export type NewItem = Pick<Selectable<JobItemsTable>, 'job_id' | 'seq' | 'key' | 'status' | 'input' | 'attempts' | 'available_at' | 'started_at'>;

const ITEM_COLUMNS = {
  job_id: 'text',
  seq: 'integer',
  key: 'text',
  status: 'text',
  input: 'text',
  attempts: 'integer',
  available_at: 'text',
  started_at: 'text',
} as const;

/**
 * Inserts a job, its items and its first events. The job is given whole (every column), so it
 * is returned as given, not read back: reading back its 26 columns costs a third of the insert's
 * time on SQLite. On PostgreSQL the three inserts are one statement (data-modifying WITH
 * queries; the items' foreign key is checked at its end), so a submission pays one round trip
 * for them, not three: round trips are most of a job's enqueue-to-start time there
 * (`npm run bench -- engine --shapes=steady`). The rows go as arrays (`rowsTable`), so a job of
 * any size is one statement of a few parameters. SQLite, in process, runs them one by one.
 */
export async function jobInsert(
  trx: Db,
  job: Selectable<JobsTable>,
  items: NewItem[],
  events: Selectable<JobEventsTable>[],
): Promise<Selectable<JobsTable>> {
  if (dialectOf(trx) === 'postgres') {
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
    return job;
  }
  await trx.insertInto('jobs').values(job).execute();
  // In chunks, to stay under SQLite's limit on parameters per statement.
  for (let i = 0; i < items.length; i += 500) {
    await trx.insertInto('job_items').values(items.slice(i, i + 500)).execute();
  }
  await trx.insertInto('job_events').values(events).execute();
  return job;
}

/**
 * Marks the organisation active (one more unfinished job) and, with `servedAt`, served then, as
 * a claim marks the organisations it serves; returns its unfinished jobs, this one included.
 * PostgreSQL: this locks the organisation's row, which claims take before they count its
 * running jobs; a submission takes it before its job row exists and after its credit account
 * (see `DeferredWrites` for the lock order).
 */
export async function orgJobAdded(trx: Db, orgId: string, servedAt: string | null): Promise<number> {
  const { active_jobs } = await trx
    .insertInto('engine_org_turns')
    .values({ org_id: orgId, active_jobs: 1, last_served_at: servedAt })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        active_jobs: eb('engine_org_turns.active_jobs', '+', 1),
        ...(servedAt === null ? {} : { last_served_at: servedAt }),
      })),
    )
    .returning('active_jobs')
    .executeTakeFirstOrThrow();
  return active_jobs;
}
