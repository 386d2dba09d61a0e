/**
 * Takes the next item of a job to work on: the first pending one whose retry time has come,
 * or one left `running` by a worker that died (it is redone: at most the in-flight item of a
 * crash runs twice, never a finished one). Counts the attempt before the work starts, so an
 * item that kills its worker every time still runs out of attempts.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from '../../store/database.ts';
import type { JobItemsTable } from '../../store/schema.ts';
import { jobHoldIfOwner } from './jobLease.ts';

export type ItemRow = Selectable<JobItemsTable>;

export type NextItem = { item: ItemRow } | { waitUntil: string } | { allDone: true } | { leaseLost: true };

export async function itemStartNext(db: Db, jobId: string, owner: string, now: string): Promise<NextItem> {
  return db.transaction().execute(async (trx) => {
    if (!(await jobHoldIfOwner(trx, jobId, owner, now))) return { leaseLost: true as const };
    const next = await trx
      .selectFrom('job_items')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('status', 'in', ['pending', 'running'])
      .orderBy('available_at')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!next) return { allDone: true as const };
    if (next.available_at > now) return { waitUntil: next.available_at };
    const item = await trx
      .updateTable('job_items')
      .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), started_at: now }))
      .where('job_id', '=', jobId)
      .where('seq', '=', next.seq)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { item };
  });
}

/**
 * The same start in one statement, for a caller that already holds the job (the claim, the
 * checkpoint of the item before): the first open item whose time has come, or undefined —
 * then `itemStartNext` tells why (all done, or waiting for a retry).
 */
export async function itemStartIfAvailable(trx: Db, jobId: string, now: string): Promise<ItemRow | undefined> {
  return trx
    .updateTable('job_items')
    .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), started_at: now }))
    .where('job_id', '=', jobId)
    .where('seq', '=', (eb) =>
      eb
        .selectFrom('job_items as open')
        .select('open.seq')
        .where('open.job_id', '=', jobId)
        .where('open.status', 'in', ['pending', 'running'])
        .where('open.available_at', '<=', now)
        .orderBy('open.available_at')
        .orderBy('open.seq')
        .limit(1),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Starts the first item of each job, in one statement, for jobs claimed for the first time:
 * all their items are pending and due together, so the first is the one with the lowest seq.
 */
export async function itemsStartFirst(trx: Db, jobIds: string[], now: string): Promise<ItemRow[]> {
  if (jobIds.length === 0) return [];
  return trx
    .updateTable('job_items')
    .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), started_at: now }))
    .where(sql<boolean>`(job_id, seq) in (select job_id, min(seq) from job_items where job_id in (${sql.join(jobIds)}) group by job_id)`)
    .returningAll()
    .execute();
}
