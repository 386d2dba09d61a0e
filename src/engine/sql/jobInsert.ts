import type { Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';
import type { NewItem } from '../../store/jobRows.ts';
import type { JobEventsTable, JobsTable } from '../../store/schema.ts';

export type { NewItem };

/**
 * Inserts a job, its items and its first events (PostgreSQL: one statement; SQLite, in process:
 * one each, see the drivers' jobInsert.ts). The job is given whole (every column), so it is
 * returned as given, not read back: reading back its 26 columns was a third of the insert's time
 * on SQLite.
 */
export async function jobInsert(
  trx: Db,
  job: Selectable<JobsTable>,
  items: NewItem[],
  events: Selectable<JobEventsTable>[],
): Promise<Selectable<JobsTable>> {
  await driverOf(trx).jobInsert(trx, job, items, events);
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
