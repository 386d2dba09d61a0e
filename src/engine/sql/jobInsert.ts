import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';
import type { NewItem } from '../../store/jobRows.ts';
import type { JobsTable } from '../../store/schema.ts';

export type { NewItem };

/**
 * Inserts a job and its items (PostgreSQL: one statement; SQLite, in process: one each, see the
 * drivers' jobInsert.ts). The job is given whole (every column), so it is
 * returned as given, not read back: reading back its 26 columns costs a third of the insert's
 * time on SQLite.
 */
export async function jobInsert(trx: Db, job: Selectable<JobsTable>, items: NewItem[]): Promise<Selectable<JobsTable>> {
  await driverOf(trx).jobInsert(trx, job, items);
  return job;
}

/**
 * Marks the organisation active (one more unfinished job) and, when `served`, served now, as a
 * claim marks the organisations it serves; returns its unfinished jobs, this one included, and
 * the database's time (`Driver.now`), which the submission's times are. PostgreSQL: this locks
 * the organisation's row, which claims take before they count its running jobs; a submission
 * takes it before its job row exists and after its credit account (see `DeferredWrites` for the
 * lock order).
 */
export async function orgJobAdded(trx: Db, orgId: string, served: boolean): Promise<{ unfinished: number; now: string }> {
  const driver = driverOf(trx);
  const { active_jobs, now } = await trx
    .insertInto('engine_org_turns')
    .values({ org_id: orgId, active_jobs: 1, last_served_at: served ? driver.now() : null })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        active_jobs: eb('engine_org_turns.active_jobs', '+', 1),
        ...(served ? { last_served_at: driver.now() } : {}),
      })),
    )
    .returning(['active_jobs', driver.now().as('now')])
    .executeTakeFirstOrThrow();
  return { unfinished: active_jobs, now };
}
