/**
 * Takes the next item of a job to work on: the first pending one whose retry time has come,
 * or one left `running` by a worker that died (it is redone: at most the in-flight item of a
 * crash runs twice, never a finished one). Counts the attempt before the work starts, so an
 * item that kills its worker every time still runs out of attempts.
 */
import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../../store/database.ts';
import { idsMatch } from '../../store/dialect.ts';
import { driverOf } from '../../store/driver.ts';
import type { Database } from '../../store/schema.ts';
import type { ItemRow } from '../types.ts';
import type { ThrottleLimits } from '../throttle.ts';
import { jobHoldIfOwner } from './jobLease.ts';
import { itemsStartThrottled } from './throttleSlots.ts';

/**
 * What a worker needs of an item it starts (as `HeldJob` is of a job): not its result or errors.
 * Named through their table: an UPDATE … FROM must say whose columns it returns.
 */
const STARTED_ITEM_COLUMNS = ['job_items.job_id', 'job_items.seq', 'job_items.key', 'job_items.input', 'job_items.attempts'] as const;
export type StartedItem = Pick<ItemRow, (typeof STARTED_ITEM_COLUMNS)[number] extends `job_items.${infer C extends keyof ItemRow}` ? C : never>;

export type NextItem = { item: StartedItem } | { waitUntil: string } | { allDone: true } | { leaseLost: true };

/**
 * `throttled`: the job's organisation and kind, and the limits in force. When a throttle has no
 * slot for the job now, the answer is `waitUntil` its slot (or the item's own time, if later):
 * the job waits without a worker, as for a retry.
 */
export async function itemStartNext(
  db: Db,
  jobId: string,
  owner: string,
  now: string,
  throttled?: { orgId: string; kind: string; limits: ThrottleLimits },
): Promise<NextItem> {
  return db.transaction().execute(async (trx) => {
    if (!(await jobHoldIfOwner(trx, jobId, owner, now))) return { leaseLost: true as const };
    const job = { id: jobId, org_id: throttled?.orgId ?? '', kind: throttled?.kind ?? '' };
    const { started, held } = await itemsStartThrottled(trx, [job], throttled?.limits, true, (ids) => itemsStartIfAvailable(trx, ids, now));
    if (started[0]) return { item: started[0] };
    // Nothing due: every item is done, or the first open one waits for its retry time (or a throttle's slot).
    const next = await trx
      .selectFrom('job_items')
      .select('available_at')
      .where('job_id', '=', jobId)
      .where('status', 'in', ['pending', 'running'])
      .orderBy('available_at')
      .limit(1)
      .executeTakeFirst();
    if (!next) return { allDone: true as const };
    const slot = held.get(jobId);
    return { waitUntil: slot && Date.parse(slot) > Date.parse(next.available_at) ? slot : next.available_at };
  });
}

/** An item starting: running, its attempt counted before the work (see above). */
const started = (now: string) => (eb: ExpressionBuilder<Database, 'job_items'>) => ({
  status: 'running' as const,
  attempts: eb('attempts', '+', 1),
  started_at: now,
});

/**
 * The start itself, in one statement for many jobs the caller holds (`itemStartNext`, a claim, a
 * group of checkpoints): each job's first open item whose time has come (by the database's clock, `Driver.now`), found through the jobs the caller holds and
 * joined to the items on their key, so each job costs an index lookup, not a scan.
 */
export async function itemsStartIfAvailable(trx: Db, jobIds: string[], now: string): Promise<StartedItem[]> {
  if (jobIds.length === 0) return [];
  return trx
    .updateTable('job_items')
    .from((eb) =>
      eb
        .selectFrom('jobs')
        .select((eb) => [
          'jobs.id as due_job',
          eb
            .selectFrom('job_items as open')
            .select('open.seq')
            .whereRef('open.job_id', '=', 'jobs.id')
            .where('open.status', 'in', ['pending', 'running'])
            .where('open.available_at', '<=', driverOf(trx).now())
            .orderBy('open.available_at')
            .orderBy('open.seq')
            .limit(1)
            .as('due_seq'),
        ])
        .where(idsMatch(trx, 'jobs.id', jobIds))
        .as('due'),
    )
    .set(started(now))
    .whereRef('job_items.job_id', '=', 'due.due_job')
    .whereRef('job_items.seq', '=', 'due.due_seq')
    .returning(STARTED_ITEM_COLUMNS)
    .execute();
}

/**
 * Starts the first item of each job, in one statement, for jobs claimed for the first time:
 * all their items are pending and due together, so the first is seq 0 (submit numbers items
 * from 0). A lookup per job on the primary key: asking for min(seq) per job makes PostgreSQL
 * hash-join a scan of every item (`npm run bench -- engine`, burn-down).
 */
export async function itemsStartFirst(trx: Db, jobIds: string[], now: string): Promise<StartedItem[]> {
  if (jobIds.length === 0) return [];
  return trx
    .updateTable('job_items')
    .set(started(now))
    .where(idsMatch(trx, 'job_id', jobIds))
    .where('seq', '=', 0)
    .returning(STARTED_ITEM_COLUMNS)
    .execute();
}
