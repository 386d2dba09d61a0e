/**
 * Claims up to `limit` jobs for a worker process, fairly, and starts each one's first item.
 *
 * Guarantees: a job is leased to one worker at a time (the UPDATE only takes a job that is
 * still available); organisations take turns — the one served longest ago is asked first,
 * and no organisation gets more than its share of one claim while others wait — and an
 * organisation already running `orgConcurrency` jobs is skipped; within an organisation,
 * higher priority first, then the job that has waited longest; a job in a serial queue waits
 * while another job of its queue is running (one at a time, in order). An unfinished job keeps
 * its place: one that is running already (a retry wait, a lost lease) may go on.
 *
 * Many jobs per statement and one transaction per claim, not per job: claimed alone, a no-op job
 * costs a transaction and eight statements (`npm run bench -- engine`). Each step is an
 * indexed lookup (`engine_org_turns_active`, `jobs_leased`, `jobs_claim_order`), so the cost
 * of a claim does not grow with the number of queued jobs.
 */
import { sql } from 'kysely';
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import { idsMatch } from '../../store/dialect.ts';
import { driverOf } from '../../store/driver.ts';
import type { JobRow } from '../types.ts';
import { itemsStartFirst, itemsStartIfAvailable, type StartedItem } from './itemStartNext.ts';

/**
 * What a worker needs of a job it holds: the claim returns these columns, not the whole row.
 * Each column a statement returns costs time a row on SQLite (a JS value to build, see
 * `sqliteRows.ts`); returning the whole row doubles the claim's time (`npm run bench -- engine`,
 * --sql-stats=1).
 */
export const HELD_JOB_COLUMNS = [
  'id',
  'org_id',
  'kind',
  'queue',
  'input',
  'created_at',
  // When it became due: its first claim's queue wait is measured from it (`EngineObserver`).
  'run_at',
  'attempts',
  'items_total',
  'items_succeeded',
  'items_failed',
  'last_event_seq',
  // The submission's trace, which the item spans continue (null, and cheap, with tracing off).
  'trace_context',
] as const;
export type HeldJob = Pick<JobRow, (typeof HELD_JOB_COLUMNS)[number]>;

/** A claimed job and its first item, already started; null when none is due yet (see `itemStartNext`). */
export interface ClaimedJob {
  job: HeldJob;
  item: StartedItem | null;
}

const ORGS_PER_CLAIM = 100;

export interface ClaimOptions {
  owner: string;
  leaseMs: number;
  limit: number;
  orgConcurrency: number;
  uncountedKinds?: string[];
  /**
   * PostgreSQL: wait for the first organisation row another claimer holds (the standalone
   * claimer, which holds nothing yet). A claim inside a checkpoint's transaction already holds
   * accounts and jobs, so it must never wait: it passes false and skips busy rows.
   */
  waitForTurn?: boolean;
}

/**
 * The jobs claimed, and `more` when another claim right away might find jobs this one left:
 * an organisation was held to its share, or skipped (busy on PostgreSQL, or past the
 * organisations one claim asks). `drained` when this claim took every job claimable now: none
 * was left for want of room, an organisation's concurrency or a serial queue's turn, so nothing
 * becomes claimable until a job is submitted or given back, or a time comes (a delayed job, a
 * retry, an expiring lease). A job ending alone frees nothing that could be claimed.
 */
export interface Claim {
  jobs: ClaimedJob[];
  more: boolean;
  drained: boolean;
}

/**
 * The organisation's jobs held under a live lease, which its `orgConcurrency` limits. The
 * server's own bookkeeping (webhook deliveries, `uncountedKinds`) does not use up the
 * organisation's slots: a slow receiver must not hold its renders and runs back. PostgreSQL:
 * the caller holds the organisation's `engine_org_turns` row, so no other claim counts at once.
 */
export async function orgRunningCount(trx: Db, orgId: string, now: string, uncountedKinds: string[] = []): Promise<number> {
  let counted = trx
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('lease_owner', 'is not', null)
    .where('lease_expires_at', '>', now);
  if (uncountedKinds.length > 0) counted = counted.where('kind', 'not in', uncountedKinds);
  return Number((await counted.executeTakeFirstOrThrow()).n);
}

export async function jobsClaim(db: Db, opts: ClaimOptions): Promise<Claim> {
  return db.transaction().execute((trx) => jobsClaimIn(trx, opts));
}

/** The claim in the caller's transaction: the engine's checkpoints claim for the slots whose jobs they end. */
export async function jobsClaimIn(trx: Db, opts: ClaimOptions): Promise<Claim> {
  const driver = driverOf(trx);
  // The database's time comes with the first statement (see `Driver.now`): leases, due times
  // and turns are the database's, whatever this process's clock says; what the rows record
  // (started, updated) is this process's, as everywhere else.
  const orgs = await trx
    .selectFrom('engine_org_turns')
    .select(['org_id', driver.now().as('now')])
    .where('active_jobs', '>', 0)
    .orderBy(sql`last_served_at nulls first`)
    .limit(ORGS_PER_CLAIM)
    .execute();
  if (orgs.length === 0) return { jobs: [], more: false, drained: true };
  const now = orgs[0]!.now;
  const at = nowIso();
  const leaseExpires = new Date(Date.parse(now) + opts.leaseMs).toISOString();
  // An equal share per organisation with work, so one claim cannot hand every free slot to
  // the organisation that happens to be first; what one leaves goes to those after it.
  const share = Math.max(1, Math.ceil(opts.limit / orgs.length));
  const claimed: ClaimedJob[] = [];
  let more = orgs.length === ORGS_PER_CLAIM;
  let holdingTurn = opts.waitForTurn === false;
  let everyJobTaken = true;
  for (const { org_id: orgId } of orgs) {
    const room = opts.limit - claimed.length;
    if (room <= 0) {
      everyJobTaken = false;
      break;
    }
    // Claims for one organisation take turns on its row (see the drivers' claim.ts). The first
    // row a claimer locks it waits for: with one busy organisation, skipping left
    // claimers idle until the next signal. Once it holds a row it only skips busy ones, so no
    // two claimers can wait on each other. SQLite's one writer holds every row already.
    if (!(await driver.orgTurnTake(trx, orgId, !holdingTurn))) {
      more = true;
      continue;
    }
    holdingTurn = true;
    const running = await orgRunningCount(trx, orgId, now, opts.uncountedKinds);
    const allowed = Math.min(room, opts.orgConcurrency - running);
    const want = Math.min(allowed, share);
    if (want <= 0) {
      everyJobTaken = false;
      continue;
    }

    const candidates = await driver
      .claimLock(
        trx
          .selectFrom('jobs')
          .select(['id', 'queue'])
          .where('org_id', '=', orgId)
          .where('available_at', '<=', now)
          .where((eb) =>
            eb.or([
              eb('queue', 'is', null),
              eb('status', '=', 'running'),
              eb.not(
                eb.exists(
                  // Said in full, as `jobs_running_queue` is defined: PostgreSQL reads that index only
                  // when the query implies its condition, and a hashed subplan drops the equality.
                  eb
                    .selectFrom('jobs as busy')
                    .select('busy.id')
                    .whereRef('busy.queue', '=', 'jobs.queue')
                    .where('busy.status', '=', 'running')
                    .where('busy.queue', 'is not', null),
                ),
              ),
            ]),
          )
          .orderBy('priority', 'desc')
          .orderBy('available_at')
          .orderBy('id')
          .limit(want),
      )
      .execute();
    if (want < allowed && candidates.length === want) more = true;
    // A serial queue starts one job per claim: the first in claim order.
    const queues = new Set<string>();
    const ids = candidates.filter((c) => c.queue === null || (!queues.has(c.queue) && queues.add(c.queue))).map((c) => c.id);
    if (candidates.length === want || ids.length < candidates.length) everyJobTaken = false;
    if (ids.length === 0) continue;

    const rows = await trx
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        lease_owner: opts.owner,
        lease_expires_at: leaseExpires,
        available_at: leaseExpires,
        attempts: eb('attempts', '+', 1),
        started_at: eb.fn.coalesce('started_at', eb.val(at)),
        // The first claim's `job.started` takes the next sequence number here (its event is
        // derived from `started_at`: `eventsAfter`).
        last_event_seq: sql<number>`last_event_seq + (case when attempts = 0 then 1 else 0 end)`,
        updated_at: at,
      }))
      .where(idsMatch(trx, 'id', ids))
      .where('available_at', '<=', now)
      .returning(HELD_JOB_COLUMNS)
      .execute();
    const fresh = rows.filter((job) => job.attempts === 1);
    // A job claimed before (a retry wait, a lost lease, given back) goes on where it was.
    const again = rows.filter((job) => job.attempts > 1).map((job) => job.id);
    const items = [
      ...(await itemsStartFirst(
        trx,
        fresh.map((job) => job.id),
        at,
      )),
      ...(await itemsStartIfAvailable(trx, again, at)),
    ];
    const itemOf = new Map(items.map((item) => [item.job_id, item]));
    if (rows.length < ids.length) everyJobTaken = false;
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const job = byId.get(id);
      if (job) claimed.push({ job, item: itemOf.get(id) ?? null });
    }
    await trx.updateTable('engine_org_turns').set({ last_served_at: now }).where('org_id', '=', orgId).execute();
  }
  return { jobs: claimed, more, drained: everyJobTaken && !more };
}
