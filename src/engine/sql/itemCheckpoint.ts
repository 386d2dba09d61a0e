/**
 * Records how items ended, in one transaction with everything that goes with them: each
 * item's result or error and the number of its event, its credit charge, and — when it was its job's last open
 * item — the end of the job. The engine hands in the checkpoints of all the jobs it holds at
 * once (see `GroupCommit`): each step is one statement for all of them (`jobsCountAndComplete`,
 * `jobsCountItems`, `itemsRecord`, `itemsCharge`, `itemsStartIfAvailable`, `jobsFinalize`, `DeferredWrites`);
 * only a kind's own hooks and the rare paths (a retry, a lost lease) go item by item. On
 * PostgreSQL a statement is a round trip.
 *
 * Guarantees: nothing is written for an item unless its worker still holds the job's lease, so
 * a worker that lost its lease cannot record a result twice; an item is charged at most once
 * (see `creditsChargeMany`); a finished item is never reopened. A job has one checkpoint in a
 * group at most, as one task holds it.
 */
import { creditsChargeMany } from '../../store/ledger.ts';
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import { idsMatch, rowsTable } from '../../store/dialect.ts';
import { driverOf } from '../../store/driver.ts';
import { KindFault } from '../errors.ts';
import type { FinishedItem, JobKind, JobOutcome } from '../kind.ts';
import { DeferredWrites } from './deferredWrites.ts';
import type { ThrottleLimits } from '../throttle.ts';
import { itemsStartIfAvailable, type StartedItem } from './itemStartNext.ts';
import { itemsStartThrottled } from './throttleSlots.ts';
import { ENDED_JOB_COLUMNS, type EndedJob, type JobFinishedHook } from '../types.ts';
import { finalColumns, jobEnded, jobFinalize, jobsFinalize } from './jobFinalize.ts';
import { jobHoldIfOwner } from './jobLease.ts';
import { itemRetryingEventAppend } from './itemRetryingEvent.ts';
import type { HeldJob } from './jobsClaim.ts';

export type ItemOutcome =
  | { type: 'succeeded'; result: unknown }
  | { type: 'failed'; code: string; message: string }
  /** Pending again, due `delayMs` from now by the database's clock. */
  | { type: 'retry'; code: string; message: string; delayMs: number }
  /** Stopped by cancellation or shutdown: back to pending, the attempt not counted. */
  | { type: 'abandoned' };

/**
 * `finished`: the job, when this was its last open item. `next`: the job's next item, already
 * started, when the caller asked for it and one is due (else it calls `itemStartNext`).
 */
export type CheckpointResult = { leaseLost: true } | { leaseLost: false; finished: EndedJob | null; next: StartedItem | null };

export interface CheckpointArgs {
  job: HeldJob;
  kind: JobKind;
  seq: number;
  key: string;
  outcome: ItemOutcome;
  /** Start the job's next item in the same transaction (the worker goes on with this job). */
  startNext: boolean;
  /**
   * The worker counts this as its job's last open item: for a kind with no `finish`, the item's
   * count and the job's end are then one update (`jobsCountAndComplete`), checked against the
   * job's own counts.
   */
  last?: boolean;
}

type Ended = CheckpointArgs & { outcome: Extract<ItemOutcome, { type: 'succeeded' | 'failed' }> };
type Priced = { input: unknown; price: number };
type Counts = { items_total: number; items_succeeded: number; items_failed: number; last_event_seq: number };

/** One result per checkpoint, in order. `owner` is the engine whose slots hold the jobs; `throttles`, the limits in force. */
export async function itemCheckpoints(
  trx: Db,
  checkpoints: CheckpointArgs[],
  engine: { owner: string; hooks: readonly JobFinishedHook[]; throttles?: ThrottleLimits },
): Promise<CheckpointResult[]> {
  const now = nowIso();
  const writes = new DeferredWrites();
  const results = new Map<CheckpointArgs, CheckpointResult>();
  const ended = checkpoints.filter((c): c is Ended => c.outcome.type === 'succeeded' || c.outcome.type === 'failed');
  // Prices first: a kind's pricing that throws fails the checkpoint before anything is written.
  const priced = new Map<CheckpointArgs, Priced>();
  for (const c of ended) {
    if (c.outcome.type !== 'succeeded') continue;
    const input: unknown = JSON.parse(c.job.input);
    priced.set(c, { input, price: itemPrice(c.kind, input, c.outcome.result) });
  }
  const closing = ended.filter((c) => c.last && !c.kind.finish);
  const completed = await jobsCountAndComplete(trx, closing, priced, engine.owner, now);
  const counts = await jobsCountItems(
    trx,
    ended.filter((c) => !completed.has(c.job.id)),
    priced,
    engine.owner,
    now,
  );
  // A completed job's update took two event numbers: its item's, then its end's.
  for (const job of completed.values()) counts.set(job.id, { ...job, last_event_seq: job.last_event_seq - 1 });
  await itemsRecord(
    trx,
    ended.filter((c) => counts.has(c.job.id)),
    counts,
    now,
  );

  await itemsCharge(
    trx,
    ended.filter((c) => counts.has(c.job.id)),
    priced,
    completed,
  );

  const finishing: CheckpointArgs[] = [];
  const goingOn: CheckpointArgs[] = [];
  // In organisation order, as the charges were: a kind's hook may lock rows of its own.
  for (const args of [...checkpoints].sort((a, b) => (a.job.org_id < b.job.org_id ? -1 : a.job.org_id > b.job.org_id ? 1 : 0))) {
    const { job, outcome } = args;
    if (outcome.type === 'retry' || outcome.type === 'abandoned') {
      if (await itemPutBack(trx, args, outcome, engine.owner, now)) goingOn.push(args);
      else results.set(args, { leaseLost: true });
      continue;
    }
    const n = counts.get(job.id);
    if (!n) {
      results.set(args, { leaseLost: true });
      continue;
    }
    if (outcome.type === 'succeeded') await itemCommitResult(trx, args, outcome.result, priced.get(args)!.input);
    if (n.items_succeeded + n.items_failed < n.items_total) goingOn.push(args);
    else finishing.push(args);
  }

  // Jobs that go on: their next items start together.
  // A throttled one without a slot now (or whose slot row is busy) gets none: its worker asks
  // again on its own (`itemStartNext`), and gives the job back until the slot if need be.
  const wanted = goingOn.filter((args) => args.startNext).map((args) => args.job);
  const { started } = await itemsStartThrottled(trx, wanted, engine.throttles, false, (ids) => itemsStartIfAvailable(trx, ids, now));
  const next = new Map(started.map((item) => [item.job_id, item]));
  for (const args of goingOn) results.set(args, { leaseLost: false, finished: null, next: (args.startNext && next.get(args.job.id)) || null });

  // Jobs whose last item this was. Those completed with their count: what goes with the end.
  for (const job of completed.values()) jobEnded(job, engine.hooks, writes);
  // Those whose kind sums nothing up (the worker did not count the item as last): one statement.
  const plain = finishing.filter((args) => !args.kind.finish && !completed.has(args.job.id)).map((args) => args.job.id);
  for (const job of await jobsFinalize(trx, plain, { status: 'completed' }, now, engine.hooks, writes)) completed.set(job.id, job);
  for (const args of finishing) {
    const finished = completed.get(args.job.id) ?? (await jobComplete(trx, args.job, args.kind, now, engine.hooks, writes));
    results.set(args, { leaseLost: false, finished, next: null });
  }
  await writes.write(trx);
  return checkpoints.map((args) => results.get(args)!);
}

/**
 * Checks every job's lease (and locks its row), counts its item, adds its price to what the job
 * was charged and takes the number of its item's event, in one statement; the counts it returns
 * tell whether that was the last open item. Jobs missing from the result have lost their lease.
 */
async function jobsCountItems(trx: Db, ended: Ended[], priced: Map<CheckpointArgs, Priced>, owner: string, now: string): Promise<Map<string, Counts>> {
  if (ended.length === 0) return new Map();
  const rows = await jobsCountUpdate(trx, ended, priced, owner)
    .set((eb) => ({ last_event_seq: eb('last_event_seq', '+', 1), updated_at: now }))
    .returning(['jobs.id', 'jobs.items_total', 'jobs.items_succeeded', 'jobs.items_failed', 'jobs.last_event_seq'])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The update both counting statements share: each ended item added to its job's counts and
 * charge, for jobs whose lease the worker still holds (the rows of `ended` as one table).
 */
function jobsCountUpdate(trx: Db, ended: Ended[], priced: Map<CheckpointArgs, Priced>, owner: string) {
  const counted = rowsTable(
    trx,
    { counted_job: 'text', succeeded: 'integer', failed: 'integer', price: 'integer' },
    ended.map((c) => ({
      counted_job: c.job.id,
      succeeded: c.outcome.type === 'succeeded' ? 1 : 0,
      failed: c.outcome.type === 'failed' ? 1 : 0,
      price: priced.get(c)?.price ?? 0,
    })),
  );
  return trx
    .updateTable('jobs')
    .from(counted.as('counted'))
    .set((eb) => ({
      items_succeeded: eb('items_succeeded', '+', eb.ref('counted.succeeded')),
      items_failed: eb('items_failed', '+', eb.ref('counted.failed')),
      credits_charged: eb('credits_charged', '+', eb.ref('counted.price')),
    }))
    .whereRef('jobs.id', '=', 'counted.counted_job')
    .where('jobs.lease_owner', '=', owner)
    .where('jobs.status', '=', 'running');
}

/**
 * `jobsCountItems` and `jobFinalize` in one update, for items their workers count as their jobs'
 * last (a kind with no `finish`: the job completes): one write of each job's row, not two (a
 * burn-down of single-item jobs writes a job's row three times, not four: `npm run bench --
 * engine`). Checked on the row, not trusted: a job whose counts say otherwise, or whose lease is
 * lost, is not returned and is counted by `jobsCountItems` as any item. The update takes two
 * event numbers (the item's, then the job's end); the rest of the end is `jobEnded`'s.
 */
async function jobsCountAndComplete(
  trx: Db,
  closing: Ended[],
  priced: Map<CheckpointArgs, Priced>,
  owner: string,
  now: string,
): Promise<Map<string, EndedJob>> {
  if (closing.length === 0) return new Map();
  const rows = await jobsCountUpdate(trx, closing, priced, owner)
    .set((eb) => ({ ...finalColumns({ status: 'completed' }, now), last_event_seq: eb('last_event_seq', '+', 2) }))
    .where((eb) => eb(eb(eb('jobs.items_succeeded', '+', eb.ref('jobs.items_failed')), '+', 1), '=', eb.ref('jobs.items_total')))
    .returning(ENDED_JOB_COLUMNS)
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Writes each item's status, result or error, and the number of its end event (its job's count
 * took it: `counts`), in one statement. The counts above decide when a
 * job ends, so each item must be counted exactly once: it is, as only the lease holder writes
 * and it started the item; an item that was not running is a bug, and rolls everything back.
 */
async function itemsRecord(trx: Db, ended: Ended[], counts: Map<string, Counts>, now: string): Promise<void> {
  if (ended.length === 0) return;
  const outcomes = rowsTable(
    trx,
    { ended_job: 'text', ended_seq: 'integer', event_seq: 'integer', was: 'text', outcome: 'text', output: 'json', code: 'text', message: 'text' },
    ended.map((c) => ({
      ended_job: c.job.id,
      ended_seq: c.seq,
      event_seq: counts.get(c.job.id)!.last_event_seq,
      was: 'running',
      outcome: c.outcome.type,
      output: c.outcome.type === 'succeeded' ? JSON.stringify(c.outcome.result ?? null) : null,
      code: c.outcome.type === 'failed' ? c.outcome.code : null,
      message: c.outcome.type === 'failed' ? c.outcome.message : null,
    })),
  );
  const recorded = await trx
    .updateTable('job_items')
    .from(outcomes.as('ended'))
    .set((eb) => ({
      status: eb.ref('ended.outcome') as never,
      result: eb.ref('ended.output'),
      error_code: eb.ref('ended.code'),
      error_message: eb.ref('ended.message'),
      finished_at: now,
      end_seq: eb.ref('ended.event_seq'),
    }))
    .whereRef('job_items.job_id', '=', 'ended.ended_job')
    .whereRef('job_items.seq', '=', 'ended.ended_seq')
    // "Was running", said as a join condition, not `status = 'running'`: PostgreSQL estimates
    // that filter at one item (few run at any time) and joins the rows table to each item in a
    // nested loop, 512 × 512 comparisons a group (`npm run bench -- engine`, auto_explain).
    .whereRef('job_items.status', '=', 'ended.was')
    // Said again as a list of keys, so the items are found through the primary key whatever
    // the table's size: without it PostgreSQL hashes every item of the table once it judges
    // that cheaper than 512 index lookups (already at 10,000 items: 20 ms a group).
    .where(
      idsMatch(
        trx,
        'job_items.job_id',
        ended.map((c) => c.job.id),
      ),
    )
    .executeTakeFirst();
  if (Number(recorded.numUpdatedRows) !== ended.length) {
    throw new Error(`recorded ${recorded.numUpdatedRows} of ${ended.length} items: one was not running when its outcome came`);
  }
}

/**
 * Charges the succeeded items, all at once (`creditsChargeMany`, which takes credit accounts in
 * organisation order, so two groups cannot deadlock each other on them; organisation rows come
 * later, see `DeferredWrites`). Before the kinds' hooks: a submission also locks the account
 * before a kind's rows. An item charged before (never in a normal run: result and charge commit
 * together) is not charged again, and its price comes off what `jobsCountItems` added and off
 * the row's reservation, which that charge spent: the row's reserved less charged stays what the
 * ledger holds for the job, the amount its end releases (`DeferredWrites`).
 */
async function itemsCharge(trx: Db, ended: Ended[], priced: Map<CheckpointArgs, Priced>, completed: Map<string, EndedJob>): Promise<void> {
  const paying = ended.filter((c) => (priced.get(c)?.price ?? 0) > 0);
  const charged = await creditsChargeMany(
    trx,
    paying.map((c) => ({ orgId: c.job.org_id, ref: c.job.id, itemRef: c.key, amount: priced.get(c)!.price })),
  );
  for (const [i, c] of paying.entries()) {
    if (charged[i]) continue;
    const price = priced.get(c)!.price;
    await trx
      .updateTable('jobs')
      .set((eb) => ({ credits_charged: eb('credits_charged', '-', price), credits_reserved: eb('credits_reserved', '-', price) }))
      .where('id', '=', c.job.id)
      .execute();
    // A job already ended by its count: its end's hooks are told what it was charged.
    const job = completed.get(c.job.id);
    if (job) [job.credits_charged, job.credits_reserved] = [job.credits_charged - price, job.credits_reserved - price];
  }
}

/** Runs the kind's hook on a succeeded item, in the item's transaction. */
async function itemCommitResult(trx: Db, args: CheckpointArgs, result: unknown, input: unknown): Promise<void> {
  if (!args.kind.commitResult) return;
  const { job } = args;
  try {
    await args.kind.commitResult(trx, { jobId: job.id, orgId: job.org_id, input, key: args.key, result, createdAt: job.created_at });
  } catch (error) {
    throw new KindFault(error);
  }
}

/**
 * A retry waits in `pending` until its time, with an `item.retrying` event; an abandoned item
 * (cancel, shutdown) goes back with its attempt not counted and no event: nothing failed. False:
 * the lease is lost, and nothing is written (the job is another worker's now).
 */
async function itemPutBack(
  trx: Db,
  args: CheckpointArgs,
  outcome: Extract<ItemOutcome, { type: 'retry' | 'abandoned' }>,
  owner: string,
  now: string,
): Promise<boolean> {
  if (!(await jobHoldIfOwner(trx, args.job.id, owner, now))) return false;
  const item = trx.updateTable('job_items').where('job_id', '=', args.job.id).where('seq', '=', args.seq).where('status', '=', 'running');
  if (outcome.type === 'retry') {
    const waiting = await item
      .set({ status: 'pending', error_code: outcome.code, error_message: outcome.message, available_at: driverOf(trx).nowPlus(outcome.delayMs) })
      .returning(['key', 'attempts', 'available_at'])
      .executeTakeFirst();
    if (waiting) await itemRetryingEventAppend(trx, args.job.id, waiting, outcome, now);
  } else {
    await item.set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1) })).execute();
  }
  return true;
}

/** What a succeeded item costs: the kind's fixed price, or its pricing capped at the reserved maximum. */
function itemPrice(kind: JobKind, input: unknown, result: unknown): number {
  if (!kind.pricing) return kind.creditsPerItem;
  const max = kind.pricing.maxPerItem(input);
  const price = kind.pricing.forResult(result, input);
  if (!Number.isInteger(price) || price < 0) throw new KindFault(new Error(`kind ${kind.name} priced an item at ${price}`));
  return Math.min(price, max);
}

/** Every item is finished: let the kind sum the job up, then finalize it. */
async function jobComplete(trx: Db, job: HeldJob, kind: JobKind, now: string, hooks: readonly JobFinishedHook[], writes: DeferredWrites): Promise<EndedJob> {
  let outcome: JobOutcome = { status: 'completed' };
  if (kind.finish) {
    const rows = await trx.selectFrom('job_items').selectAll().where('job_id', '=', job.id).orderBy('seq').execute();
    const items: FinishedItem[] = rows.map((r) => ({
      key: r.key,
      status: r.status as FinishedItem['status'],
      result: r.result === null ? null : JSON.parse(r.result),
      errorCode: r.error_code,
      errorMessage: r.error_message,
    }));
    try {
      outcome = kind.finish(JSON.parse(job.input), items);
    } catch (error) {
      throw new KindFault(error);
    }
  }
  return jobFinalize(trx, job.id, outcome, now, hooks, writes);
}
