import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { JobItemsTable, JobsTable } from '../../store/schema.ts';

/**
 * Inserts a job, its items (in chunks, to stay under SQL parameter limits) and marks its
 * organisation active. The job is given whole (every column), so it is returned as given, not
 * read back: reading back its 26 columns was a third of the insert's time on SQLite.
 */
export async function jobInsert(trx: Db, job: Selectable<JobsTable>, items: Insertable<JobItemsTable>[]): Promise<Selectable<JobsTable>> {
  await trx.insertInto('jobs').values(job).execute();
  for (let i = 0; i < items.length; i += 500) {
    await trx.insertInto('job_items').values(items.slice(i, i + 500)).execute();
  }
  await trx
    .insertInto('engine_org_turns')
    .values({ org_id: job.org_id, active_jobs: 1, last_served_at: null })
    .onConflict((oc) => oc.column('org_id').doUpdateSet((eb) => ({ active_jobs: eb('engine_org_turns.active_jobs', '+', 1) })))
    .execute();
  return job;
}
