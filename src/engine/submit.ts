/**
 * Submitting a job is one transaction: the job row, its items, the credit reservation, the
 * `job.queued` event and the idempotency record. A submission that fails (not enough credits,
 * a database error) leaves none of them behind.
 */
import { creditsReserve } from '../billing/ledger.ts';
import { nowIso } from '../ids.ts';
import { inTransaction, type Db } from '../store/database.ts';
import { idempotencyComplete } from '../store/idempotency.ts';
import { WHOLE_JOB_ITEM, type JobKind } from './kind.ts';
import { eventInsert } from './sql/eventAppend.ts';
import type { JobRow } from './sql/jobsClaim.ts';
import { jobInsert } from './sql/jobInsert.ts';

export interface SubmitRequest<Input> {
  orgId: string;
  kind: JobKind<Input>;
  input: Input;
  /** Higher runs first within the organisation. */
  priority?: number;
  /** Not before this time. */
  runAt?: Date;
  /** Jobs with the same queue run one at a time, oldest first (see jobsClaim). */
  queue?: string;
  /** The job's ID, when the caller must know it before submitting (rows that reference it). */
  id?: string;
  /** Stores the response for `Idempotency-Key` in the same transaction. */
  idempotency?: { key: string; respond(job: JobRow): { status: number; body: unknown } } | null;
}

/**
 * Transactions that submitted a job, for whoever commits them to signal workers: a job's end
 * can submit jobs from its hooks (a webhook delivery), inside the engine's own transaction.
 */
const submittedIn = new WeakSet<Db>();

/** True when a job was submitted in this transaction (see `submittedIn`). */
export function jobsSubmittedIn(trx: Db): boolean {
  return submittedIn.has(trx);
}

export async function jobSubmit<Input>(db: Db, request: SubmitRequest<Input>): Promise<JobRow> {
  const { kind, orgId } = request;
  const specs = kind.items ? kind.items(request.input) : [WHOLE_JOB_ITEM];
  if (specs.length === 0) throw new Error(`kind ${kind.name} produced no items`);
  if (new Set(specs.map((s) => s.key)).size !== specs.length) throw new Error(`kind ${kind.name} produced duplicate item keys`);

  const now = nowIso();
  const runAt = request.runAt && request.runAt.toISOString() > now ? request.runAt.toISOString() : now;
  const id = request.id ?? kind.newJobId();
  const reserve = (kind.pricing ? kind.pricing.maxPerItem(request.input) : kind.creditsPerItem) * specs.length;

  // In the caller's transaction when there is one (a job finishing submits its webhook deliveries).
  return inTransaction(db, async (trx) => {
    submittedIn.add(trx);
    if (reserve > 0) await creditsReserve(trx, orgId, id, reserve);
    const job = await jobInsert(
      trx,
      {
        id,
        org_id: orgId,
        kind: kind.name,
        status: 'queued',
        input: JSON.stringify(request.input),
        output: null,
        error_code: null,
        error_message: null,
        priority: request.priority ?? 0,
        attempts: 0,
        run_at: runAt,
        available_at: runAt,
        lease_owner: null,
        lease_expires_at: null,
        items_total: specs.length,
        items_succeeded: 0,
        items_failed: 0,
        credits_reserved: reserve,
        credits_charged: 0,
        last_event_seq: 1, // the `job.queued` event's
        progress: null,
        queue: request.queue ?? null,
        created_at: now,
        started_at: null,
        completed_at: null,
        updated_at: now,
      },
      specs.map((spec, seq) => ({
        job_id: id,
        seq,
        key: spec.key,
        status: 'pending' as const,
        input: spec.input === undefined ? null : JSON.stringify(spec.input),
        result: null,
        error_code: null,
        error_message: null,
        attempts: 0,
        available_at: runAt,
        started_at: null,
        finished_at: null,
      })),
    );
    await eventInsert(trx, id, 1, 'job.queued', { kind: kind.name, items: specs.length, runAt }, now);
    if (request.idempotency) {
      const response = request.idempotency.respond(job);
      await idempotencyComplete(trx, orgId, request.idempotency.key, { status: response.status, body: JSON.stringify(response.body) });
    }
    return job;
  });
}
