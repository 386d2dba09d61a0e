/**
 * Claims up to `limit` jobs for a worker process, fairly, and starts each one's first item.
 *
 * Guarantees: a job is leased to one worker at a time (the UPDATE only takes a job that is
 * still available); organisations take turns — the one served longest ago is asked first,
 * and no organisation gets more than its share of one claim while others wait — and an
 * organisation already running `orgConcurrency` jobs is skipped; within an organisation,
 * higher priority first, then the job that has waited longest; a job in a serial queue waits
 * while another job of its queue is running (one at a time, in order); a kind throttled for the
 * organisation (throttle.ts) starts one item per slot, and its jobs are no candidates while it
 * has none (the claim says when the next comes: `nextSlotIn`). An unfinished job keeps its
 * place: one that is running already (a retry wait, a lost lease) may go on.
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
import { throttleAdvance, throttleKey, throttleOpen, type ThrottleLimit, type ThrottleLimits } from '../throttle.ts';
import { itemsStartFirst, itemsStartIfAvailable, type StartedItem } from './itemStartNext.ts';
import { throttleSlotsLock, throttleSlotsSet } from './throttleSlots.ts';

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
  /** The throttles in force: a throttled kind starts only as many items as its slots allow. */
  throttles?: ThrottleLimits;
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
  /**
   * Milliseconds (by the database's clock) until the earliest slot of a throttle that held back
   * jobs of its kind, or null. Jobs held so do not count against `drained`: they become
   * claimable at that time, which the claimer sleeps until.
   */
  nextSlotIn: number | null;
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
  if (orgs.length === 0) return { jobs: [], more: false, drained: true, nextSlotIn: null };
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
  const throttles = opts.throttles && (await opts.throttles.any(trx)) ? opts.throttles : undefined;
  const nowMs = Date.parse(now);
  let nextSlotMs = Infinity;
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
    const slots = throttles ? await orgThrottleSlots(trx, orgId, throttles, nowMs) : null;
    if (slots?.busy) {
      // Another transaction starts one of these kinds' items now: look again soon.
      more = true;
      everyJobTaken = false;
    }
    if (slots) nextSlotMs = Math.min(nextSlotMs, slots.closedUntil);

    const candidates = await driver
      .claimLock(
        trx
          .selectFrom('jobs')
          .select(['id', 'queue', 'kind'])
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
          // Kinds whose throttle has no slot now are not candidates: they would fill the page.
          .$if(slots !== null && slots.closed.length > 0, (qb) => qb.where('kind', 'not in', slots!.closed))
          .orderBy('priority', 'desc')
          .orderBy('available_at')
          .orderBy('id')
          .limit(want),
      )
      .execute();
    if (want < allowed && candidates.length === want) more = true;
    // A serial queue starts one job per claim: the first in claim order; so does a throttled kind
    // (its slot: there is no burst, see throttle.ts).
    const queues = new Set<string>();
    const slotTaken = new Set<string>();
    let throttleHeld = 0;
    const ids = candidates
      .filter((c) => c.queue === null || (!queues.has(c.queue) && queues.add(c.queue)))
      .filter((c) => {
        if (!slots?.open.has(c.kind)) return true;
        if (!slotTaken.has(c.kind)) return slotTaken.add(c.kind);
        throttleHeld += 1;
        return false;
      })
      .map((c) => c.id);
    // Jobs a throttle held back are claimable at its next slot (below), not for want of room.
    if (candidates.length === want || ids.length + throttleHeld < candidates.length) everyJobTaken = false;
    if (candidates.length === want && throttleHeld > 0) more = true;
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
    if (slots && slotTaken.size > 0) {
      const moved = await orgThrottleSlotsTake(
        trx,
        orgId,
        slots,
        rows.filter((job) => itemOf.has(job.id)).map((job) => job.kind),
        nowMs,
      );
      if (throttleHeld > 0 && Number.isFinite(moved)) nextSlotMs = Math.min(nextSlotMs, moved);
      // The one let through started nothing (its item not due): the others may go now.
      else if (throttleHeld > 0) more = true;
    }
    if (rows.length < ids.length) everyJobTaken = false;
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const job = byId.get(id);
      if (job) claimed.push({ job, item: itemOf.get(id) ?? null });
    }
    await trx.updateTable('engine_org_turns').set({ last_served_at: now }).where('org_id', '=', orgId).execute();
  }
  return { jobs: claimed, more, drained: everyJobTaken && !more, nextSlotIn: Number.isFinite(nextSlotMs) ? Math.max(0, nextSlotMs - nowMs) : null };
}

/**
 * The organisation's throttled kinds, their slot rows locked (never waited for: the claim holds
 * rows already): `open` kinds may start one item now, `closed` ones not before `closedUntil`
 * (their earliest slot); `busy` when another transaction holds a slot row.
 */
interface OrgSlots {
  open: Map<string, { limit: ThrottleLimit; nextSlotMs: number }>;
  closed: string[];
  closedUntil: number;
  busy: boolean;
}

async function orgThrottleSlots(trx: Db, orgId: string, throttles: ThrottleLimits, nowMs: number): Promise<OrgSlots | null> {
  const limited = throttles.limitedFor(orgId);
  if (limited.size === 0) return null;
  const { next } = await throttleSlotsLock(
    trx,
    [...limited.keys()].map((kind) => ({ orgId, kind })),
    false,
    nowMs,
  );
  const slots: OrgSlots = { open: new Map(), closed: [], closedUntil: Infinity, busy: false };
  for (const [kind, limit] of limited) {
    const at = next.get(throttleKey(orgId, kind));
    if (at !== undefined && throttleOpen(at, nowMs)) {
      slots.open.set(kind, { limit, nextSlotMs: at });
      continue;
    }
    slots.closed.push(kind);
    if (at === undefined) slots.busy = true;
    else slots.closedUntil = Math.min(slots.closedUntil, at);
  }
  return slots;
}

/** Moves on the slots of the kinds whose items this claim started (`startedKinds`, one entry a start); the earliest next slot. */
async function orgThrottleSlotsTake(trx: Db, orgId: string, slots: OrgSlots, startedKinds: string[], nowMs: number): Promise<number> {
  const starts = new Map<string, number>();
  for (const kind of startedKinds) if (slots.open.has(kind)) starts.set(kind, (starts.get(kind) ?? 0) + 1);
  const moved = [...starts].map(([kind, n]) => {
    const { limit, nextSlotMs } = slots.open.get(kind)!;
    return { slot: { orgId, kind }, nextSlotMs: throttleAdvance(limit, nextSlotMs, nowMs, n) };
  });
  await throttleSlotsSet(trx, moved);
  return Math.min(...moved.map((m) => m.nextSlotMs));
}
