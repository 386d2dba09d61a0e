/**
 * Records how one item ended, in one transaction with everything that goes with it: the
 * item's result or error, its credit charge, its event, and — when it was the job's last open
 * item — the end of the job.
 *
 * Guarantees: nothing is written unless the caller still holds the job's lease, so a worker
 * that lost its lease cannot record a result twice; an item is charged at most once (see
 * `creditsCharge`); a finished item is never reopened.
 */
import { creditsCharge } from '../../billing/ledger.ts';
import type { Db } from '../../store/database.ts';
import { KindFault } from '../errors.ts';
import type { FinishedItem, JobKind, JobOutcome } from '../kind.ts';
import { DeferredWrites } from './deferredWrites.ts';
import { itemStartIfAvailable, type ItemRow } from './itemStartNext.ts';
import { jobFinalize, type JobFinishedHook } from './jobFinalize.ts';
import { jobHoldIfOwner } from './jobLease.ts';
import type { JobRow } from './jobsClaim.ts';

export type ItemOutcome =
  | { type: 'succeeded'; result: unknown }
  | { type: 'failed'; code: string; message: string }
  | { type: 'retry'; code: string; message: string; availableAt: string }
  /** Stopped by cancellation or shutdown: back to pending, the attempt not counted. */
  | { type: 'abandoned' };

/**
 * `finished`: the job, when this was its last open item. `next`: the job's next item, already
 * started, when the caller asked for it and one is due (else it calls `itemStartNext`).
 */
export type CheckpointResult = { leaseLost: true } | { leaseLost: false; finished: JobRow | null; next: ItemRow | null };

export interface CheckpointArgs {
  job: JobRow;
  kind: JobKind;
  owner: string;
  seq: number;
  key: string;
  outcome: ItemOutcome;
  now: string;
  hooks: readonly JobFinishedHook[];
  /** Start the job's next item in the same transaction (the worker goes on with this job). */
  startNext: boolean;
}

/**
 * Several slots' checkpoints in the caller's transaction (see `GroupCommit`): each is whole on
 * its own, and their events and counts are written together at the end (`DeferredWrites`).
 */
export async function itemCheckpoints(trx: Db, checkpoints: CheckpointArgs[]): Promise<CheckpointResult[]> {
  const writes = new DeferredWrites();
  const results: CheckpointResult[] = [];
  for (const args of checkpoints) results.push(await itemCheckpoint(trx, args, writes));
  await writes.write(trx);
  return results;
}

async function itemCheckpoint(trx: Db, args: CheckpointArgs, writes: DeferredWrites): Promise<CheckpointResult> {
  const { job, outcome, now } = args;
  const item = trx.updateTable('job_items').where('job_id', '=', job.id).where('seq', '=', args.seq).where('status', '=', 'running');
  const next = async () => (args.startNext ? ((await itemStartIfAvailable(trx, job.id, now)) ?? null) : null);

  if (outcome.type === 'retry' || outcome.type === 'abandoned') {
    if (!(await jobHoldIfOwner(trx, job.id, args.owner, now))) return { leaseLost: true };
    if (outcome.type === 'retry') {
      await item.set({ status: 'pending', error_code: outcome.code, error_message: outcome.message, available_at: outcome.availableAt }).execute();
    } else {
      await item.set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1) })).execute();
    }
    return { leaseLost: false, finished: null, next: await next() };
  }

  // One statement checks the lease (and locks the row), counts the item and takes its event's
  // sequence number; the counts it returns tell whether this was the last open item.
  const succeeded = outcome.type === 'succeeded';
  const counts = await trx
    .updateTable('jobs')
    .set((eb) => ({
      ...(succeeded ? { items_succeeded: eb('items_succeeded', '+', 1) } : { items_failed: eb('items_failed', '+', 1) }),
      last_event_seq: eb('last_event_seq', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', job.id)
    .where('lease_owner', '=', args.owner)
    .where('status', '=', 'running')
    .returning(['items_total', 'items_succeeded', 'items_failed', 'last_event_seq'])
    .executeTakeFirst();
  if (!counts) return { leaseLost: true };

  if (outcome.type === 'succeeded') {
    const recorded = await item.set({ status: 'succeeded', result: JSON.stringify(outcome.result ?? null), error_code: null, error_message: null, finished_at: now }).executeTakeFirst();
    assertRecorded(recorded.numUpdatedRows, job.id, args.seq);
    const input: unknown = JSON.parse(job.input);
    if (args.kind.commitResult) {
      const ctx = { jobId: job.id, orgId: job.org_id, input, key: args.key, result: outcome.result, createdAt: job.created_at };
      try {
        await args.kind.commitResult(trx, ctx);
      } catch (error) {
        throw new KindFault(error);
      }
    }
    const price = itemPrice(args.kind, input, outcome.result);
    if (price > 0 && (await creditsCharge(trx, job.org_id, job.id, args.key, price))) {
      await trx.updateTable('jobs').set((eb) => ({ credits_charged: eb('credits_charged', '+', price) })).where('id', '=', job.id).execute();
    }
    writes.event(job.id, counts.last_event_seq, 'item.succeeded', { key: args.key }, now);
  } else {
    const recorded = await item.set({ status: 'failed', error_code: outcome.code, error_message: outcome.message, finished_at: now }).executeTakeFirst();
    assertRecorded(recorded.numUpdatedRows, job.id, args.seq);
    writes.event(job.id, counts.last_event_seq, 'item.failed', { key: args.key, errorCode: outcome.code, errorMessage: outcome.message }, now);
  }

  if (counts.items_succeeded + counts.items_failed < counts.items_total) return { leaseLost: false, finished: null, next: await next() };
  return { leaseLost: false, finished: await jobComplete(trx, job, args.kind, now, args.hooks, writes), next: null };
}

/**
 * The counts above decide when a job ends, so an item must be counted exactly once: it is, as
 * only the lease holder writes and it started the item; a miss here is a bug, and rolls back.
 */
function assertRecorded(updated: bigint, jobId: string, seq: number): void {
  if (Number(updated) !== 1) throw new Error(`item ${seq} of job ${jobId} was not running when its outcome was recorded`);
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
async function jobComplete(trx: Db, job: JobRow, kind: JobKind, now: string, hooks: readonly JobFinishedHook[], writes: DeferredWrites): Promise<JobRow> {
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
