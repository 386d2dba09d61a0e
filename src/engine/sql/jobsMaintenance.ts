/** Queries the worker loop and the maintenance tasks use. */
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';

/** The earliest time any job becomes claimable (a delayed job, a retry, an expiring lease). */
export async function jobsNextAvailableAt(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('jobs')
    .select(sql<string | null>`min(available_at)`.as('next'))
    .where('available_at', 'is not', null)
    .executeTakeFirst();
  return row?.next ?? null;
}

/**
 * Whether an organisation other than `orgId` has a job that could be claimed now. Asked per
 * active organisation (`engine_org_turns`) through the claim index, so a long queue of `orgId`'s
 * own jobs is never scanned.
 */
export async function jobsOtherOrgWaiting(db: Db, orgId: string, now: string): Promise<boolean> {
  const row = await db
    .selectFrom('engine_org_turns as t')
    .select('t.org_id')
    .where('t.active_jobs', '>', 0)
    .where('t.org_id', '!=', orgId)
    .where((eb) => eb.exists(eb.selectFrom('jobs as j').select('j.id').whereRef('j.org_id', '=', 't.org_id').where('j.available_at', '<=', now)))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Deletes jobs that finished before `before`, with their items and events (foreign keys
 * cascade). The ledger keeps its entries: it is the record of what was billed.
 */
export async function jobsDeleteFinishedBefore(db: Db, before: string): Promise<number> {
  const result = await db.deleteFrom('jobs').where('completed_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
