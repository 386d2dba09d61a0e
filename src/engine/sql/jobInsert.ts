import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { JobItemsTable, JobsTable } from '../../store/schema.ts';

/**
 * Inserts a job and its items (in chunks, to stay under SQL parameter limits). The job is given
 * whole (every column), so it is returned as given, not read back: reading back its 26 columns
 * was a third of the insert's time on SQLite.
 */
export async function jobInsert(trx: Db, job: Selectable<JobsTable>, items: Insertable<JobItemsTable>[]): Promise<Selectable<JobsTable>> {
  await trx.insertInto('jobs').values(job).execute();
  for (let i = 0; i < items.length; i += 500) {
    await trx.insertInto('job_items').values(items.slice(i, i + 500)).execute();
  }
  return job;
}

/**
 * Marks the organisation active (one more unfinished job) and, with `servedAt`, served then, as
 * a claim marks the organisations it serves. PostgreSQL: this locks the organisation's row,
 * which claims take before they count its running jobs; a submission takes it before its job
 * row exists and after its credit account (see `DeferredWrites` for the lock order).
 */
export async function orgJobAdded(trx: Db, orgId: string, servedAt: string | null): Promise<void> {
  await trx
    .insertInto('engine_org_turns')
    .values({ org_id: orgId, active_jobs: 1, last_served_at: servedAt })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        active_jobs: eb('engine_org_turns.active_jobs', '+', 1),
        ...(servedAt === null ? {} : { last_served_at: servedAt }),
      })),
    )
    .execute();
}
