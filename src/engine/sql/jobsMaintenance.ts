/** Queries the worker loop and the maintenance tasks use. */
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';

/**
 * How long until the earliest time any job becomes claimable (a delayed job, a retry, an
 * expiring lease), in milliseconds by the database's clock (`Driver.now`); 0 or less when one is
 * due already, null when no job is unfinished. `later`: only times still to come (the jobs due
 * now wait for a throttle's slot, which the claim said).
 */
export async function jobsNextAvailableIn(db: Db, later = false): Promise<number | null> {
  const now = driverOf(db).now();
  const row = await db
    .selectFrom('jobs')
    .select([sql<string | null>`min(available_at)`.as('next'), now.as('now')])
    .where('available_at', 'is not', null)
    .$if(later, (qb) => qb.where('available_at', '>', now))
    .executeTakeFirst();
  return row?.next ? Date.parse(row.next) - Date.parse(row.now) : null;
}

/**
 * Up to two organisations with a job that could be claimed now: enough to tell, for any one
 * organisation, whether another is waiting (one of two distinct ones is another). Asked per
 * active organisation (`engine_org_turns`) through the claim index, so a long queue of one
 * organisation's jobs is never scanned.
 */
export async function orgsWaiting(db: Db): Promise<string[]> {
  const now = driverOf(db).now();
  const rows = await db
    .selectFrom('engine_org_turns as t')
    .select('t.org_id')
    .where('t.active_jobs', '>', 0)
    .where((eb) => eb.exists(eb.selectFrom('jobs as j').select('j.id').whereRef('j.org_id', '=', 't.org_id').where('j.available_at', '<=', now)))
    .limit(2)
    .execute();
  return rows.map((row) => row.org_id);
}

/**
 * Deletes jobs that finished before `before`, with their events and items (the items' foreign
 * key cascades; the events' was dropped on PostgreSQL, migration 0011). The ledger keeps its
 * entries: it is the record of what was billed.
 */
export async function jobsDeleteFinishedBefore(db: Db, before: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const finished = trx.selectFrom('jobs').select('id').where('completed_at', '<', before);
    await trx.deleteFrom('job_events').where('job_id', 'in', finished).execute();
    const result = await trx.deleteFrom('jobs').where('completed_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
