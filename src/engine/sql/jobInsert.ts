import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';
import type { NewItem } from '../../store/jobRows.ts';
import type { JobsTable } from '../../store/schema.ts';

export type { NewItem };

/**
 * Inserts jobs and their items: one statement for any number on PostgreSQL, two on SQLite
 * (see the drivers' jobInsert.ts). The jobs are given whole (every column), so they are
 * returned as given, not read back: reading back a job's 26 columns costs a third of the
 * insert's time on SQLite.
 */
export async function jobsInsert(trx: Db, jobs: Selectable<JobsTable>[], items: NewItem[]): Promise<Selectable<JobsTable>[]> {
  await driverOf(trx).jobsInsert(trx, jobs, items);
  return jobs;
}

/** `jobsInsert` of one job. */
export async function jobInsert(trx: Db, job: Selectable<JobsTable>, items: NewItem[]): Promise<Selectable<JobsTable>> {
  return (await jobsInsert(trx, [job], items))[0]!;
}

/**
 * Marks the organisation active (`added` more unfinished jobs, one by default) and, when `served`, served now, as a
 * claim marks the organisations it serves; returns its unfinished jobs, these included, and
 * the database's time (`Driver.now`), which the submission's times are. PostgreSQL: this locks
 * the organisation's row, which claims take before they count its running jobs; a submission
 * takes it before its job row exists and after its credit account (see `DeferredWrites` for the
 * lock order).
 */
export async function orgJobAdded(trx: Db, orgId: string, served: boolean, added = 1): Promise<{ unfinished: number; now: string }> {
  const driver = driverOf(trx);
  const { active_jobs, now } = await trx
    .insertInto('engine_org_turns')
    .values({ org_id: orgId, active_jobs: added, last_served_at: served ? driver.now() : null })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        active_jobs: eb('engine_org_turns.active_jobs', '+', added),
        ...(served ? { last_served_at: driver.now() } : {}),
      })),
    )
    .returning(['active_jobs', driver.now().as('now')])
    .executeTakeFirstOrThrow();
  return { unfinished: active_jobs, now };
}
