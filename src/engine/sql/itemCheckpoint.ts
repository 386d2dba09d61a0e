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
import { eventAppend } from './eventAppend.ts';
import { jobFinalize, type JobFinishedHook } from './jobFinalize.ts';
import { jobHoldIfOwner } from './jobLease.ts';
import type { JobRow } from './jobClaimNext.ts';

export type ItemOutcome =
  | { type: 'succeeded'; result: unknown }
  | { type: 'failed'; code: string; message: string }
  | { type: 'retry'; code: string; message: string; availableAt: string }
  /** Stopped by cancellation or shutdown: back to pending, the attempt not counted. */
  | { type: 'abandoned' };

export type CheckpointResult = { leaseLost: true } | { leaseLost: false; finished: JobRow | null };

export async function itemCheckpoint(
  db: Db,
  args: { job: JobRow; kind: JobKind; owner: string; seq: number; key: string; outcome: ItemOutcome; now: string; hooks: readonly JobFinishedHook[] },
): Promise<CheckpointResult> {
  const { job, outcome, now } = args;
  return db.transaction().execute(async (trx): Promise<CheckpointResult> => {
    if (!(await jobHoldIfOwner(trx, job.id, args.owner, now))) return { leaseLost: true };
    const item = trx.updateTable('job_items').where('job_id', '=', job.id).where('seq', '=', args.seq).where('status', '=', 'running');

    switch (outcome.type) {
      case 'succeeded': {
        await item.set({ status: 'succeeded', result: JSON.stringify(outcome.result ?? null), error_code: null, error_message: null, finished_at: now }).execute();
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
        const charged = price > 0 && (await creditsCharge(trx, job.org_id, job.id, args.key, price));
        await trx
          .updateTable('jobs')
          .set((eb) => ({ items_succeeded: eb('items_succeeded', '+', 1), credits_charged: eb('credits_charged', '+', charged ? price : 0) }))
          .where('id', '=', job.id)
          .execute();
        await eventAppend(trx, job.id, 'item.succeeded', { key: args.key }, now);
        break;
      }
      case 'failed':
        await item.set({ status: 'failed', error_code: outcome.code, error_message: outcome.message, finished_at: now }).execute();
        await trx.updateTable('jobs').set((eb) => ({ items_failed: eb('items_failed', '+', 1) })).where('id', '=', job.id).execute();
        await eventAppend(trx, job.id, 'item.failed', { key: args.key, errorCode: outcome.code, errorMessage: outcome.message }, now);
        break;
      case 'retry':
        await item.set({ status: 'pending', error_code: outcome.code, error_message: outcome.message, available_at: outcome.availableAt }).execute();
        return { leaseLost: false, finished: null };
      case 'abandoned':
        await item.set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1) })).execute();
        return { leaseLost: false, finished: null };
    }

    const open = await trx
      .selectFrom('job_items')
      .select('seq')
      .where('job_id', '=', job.id)
      .where('status', 'in', ['pending', 'running'])
      .limit(1)
      .executeTakeFirst();
    if (open) return { leaseLost: false, finished: null };
    return { leaseLost: false, finished: await jobComplete(trx, job, args.kind, now, args.hooks) };
  });
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
async function jobComplete(trx: Db, job: JobRow, kind: JobKind, now: string, hooks: readonly JobFinishedHook[]): Promise<JobRow> {
  const rows = await trx.selectFrom('job_items').selectAll().where('job_id', '=', job.id).orderBy('seq').execute();
  const items: FinishedItem[] = rows.map((r) => ({
    key: r.key,
    status: r.status as FinishedItem['status'],
    result: r.result === null ? null : JSON.parse(r.result),
    errorCode: r.error_code,
    errorMessage: r.error_message,
  }));
  let outcome: JobOutcome = { status: 'completed' };
  try {
    if (kind.finish) outcome = kind.finish(JSON.parse(job.input), items);
  } catch (error) {
    throw new KindFault(error);
  }
  return jobFinalize(trx, job.id, outcome, now, hooks);
}
