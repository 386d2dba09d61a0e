/**
 * Submitting a job is one transaction: the job row, its items, the credit reservation and the
 * idempotency record (its `job.queued` event is derived from its row: `eventsAfter`). A submission that fails (not enough credits,
 * a database error) leaves none of them behind.
 *
 * With tracing on, a submission is a producer span (`create <kind>`, see `submitSpan.ts`) and
 * the job stores its context, which the worker's item spans continue (`itemSpan.ts`).
 */
import { creditsReserve } from '../store/ledger.ts';
import { nowIso } from '../ids.ts';
import { inTransaction, type Db } from '../store/database.ts';
import { idempotencyComplete } from '../store/idempotency.ts';
import { type ItemSpec, WHOLE_JOB_ITEM, type JobKind } from './kind.ts';
import { submitSpanStart } from './submitSpan.ts';
import { jobInsert, orgJobAdded, type NewItem } from './sql/jobInsert.ts';
import { HELD_JOB_COLUMNS, orgRunningCount, type ClaimedJob, type HeldJob } from './sql/jobsClaim.ts';
import type { JobRow } from './types.ts';

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
  /** These items instead of `kind.items(input)`: a rerun's, the failed and canceled items of another job. */
  items?: ItemSpec[];
  /** The job's ID, when the caller must know it before submitting (rows that reference it). */
  id?: string;
  /** Stores the response for `Idempotency-Key` in the same transaction (with the headers a replay sends again). */
  idempotency?: { key: string; respond(job: JobRow): { status: number; body: unknown; headers?: Record<string, string> } } | null;
  /**
   * The trace the job continues: a stored context (a job's `trace_context`, e.g. the job whose
   * end sends this webhook), or null for none. By default, the context active at the call.
   */
  traceContext?: string | null;
}

/**
 * Transactions that submitted a job: a job's end can submit jobs from its hooks (a webhook
 * delivery), inside the engine's own transaction, whose claim then looks for them.
 */
const submittedIn = new WeakSet<Db>();

/** True when a job was submitted in this transaction (see `submittedIn`). */
export function jobsSubmittedIn(trx: Db): boolean {
  return submittedIn.has(trx);
}

export async function jobSubmit<Input>(db: Db, request: SubmitRequest<Input>): Promise<JobRow> {
  return (await jobSubmitAndStart(db, request, null)).job;
}

/** What a submission needs to start its job at once, as a claim would (see `jobSubmitAndStart`). */
export interface StartAtSubmit {
  /** The engine that will hold the job. */
  owner: string;
  leaseMs: number;
  orgConcurrency: number;
  uncountedKinds: string[];
  /** Whether a throttle limits the organisation's items of the kind: its first item waits for the claim, which takes its slot. */
  throttled?(trx: Db, orgId: string, kind: string): Promise<boolean>;
}

/**
 * `jobSubmit` that, given `start`, also starts the job in the same transaction when it is due
 * now, in no serial queue and no throttle, and its organisation runs fewer than `orgConcurrency` jobs: the job
 * is inserted leased to `start.owner` with its first item running and its `job.started` number,
 * as the claim (`jobsClaim`) leaves a job it takes for the first time, and returned as
 * `started`. The caller (the engine) decides that nothing else is waiting for its turn.
 */
export async function jobSubmitAndStart<Input>(
  db: Db,
  request: SubmitRequest<Input>,
  start: StartAtSubmit | null,
): Promise<{ job: JobRow; started: ClaimedJob | null }> {
  const { kind, orgId } = request;
  const specs = request.items ?? (kind.items ? kind.items(request.input) : [WHOLE_JOB_ITEM]);
  if (specs.length === 0) throw new Error(`kind ${kind.name} produced no items`);
  if (new Set(specs.map((s) => s.key)).size !== specs.length) throw new Error(`kind ${kind.name} produced duplicate item keys`);

  const requestedAt = request.runAt?.toISOString();
  const id = request.id ?? kind.newJobId();
  const reserve = (kind.pricing ? kind.pricing.maxPerItem(request.input) : kind.creditsPerItem) * specs.length;
  // Due now by this process's clock: it may start here, if the database's clock agrees below.
  const mayStart = start !== null && request.queue === undefined && !(requestedAt && requestedAt > nowIso());
  const span = submitSpanStart(kind.name, id, specs.length, request.traceContext);

  // In the caller's transaction when there is one (a job finishing submits its webhook deliveries).
  const submitted = inTransaction(db, async (trx) => {
    submittedIn.add(trx);
    if (reserve > 0) await creditsReserve(trx, orgId, id, reserve);
    // The submission's times are the database's clock's (`Driver.now`): a lease or a due time
    // written by a process whose clock is wrong would run out, or come, early or late.
    const { unfinished, now } = await orgJobAdded(trx, orgId, mayStart);
    const runAt = requestedAt && requestedAt > now ? requestedAt : now;
    // Its running jobs are among its unfinished ones (counted under the row's lock, this one
    // included): when those leave room, the start needs no count of running jobs, a statement
    // (on PostgreSQL a round trip) fewer at a steady trickle.
    const starts =
      mayStart &&
      runAt === now &&
      !(await start.throttled?.(trx, orgId, kind.name)) &&
      (unfinished <= start.orgConcurrency || (await orgRunningCount(trx, orgId, now, start.uncountedKinds)) < start.orgConcurrency);
    const leaseExpires = starts ? new Date(Date.parse(now) + start.leaseMs).toISOString() : null;
    const items: NewItem[] = specs.map((spec, seq) => ({
      job_id: id,
      seq,
      key: spec.key,
      status: starts && seq === 0 ? 'running' : 'pending',
      input: spec.input === undefined ? null : JSON.stringify(spec.input),
      attempts: starts && seq === 0 ? 1 : 0,
      available_at: runAt,
      started_at: starts && seq === 0 ? now : null,
    }));
    const job = await jobInsert(
      trx,
      {
        id,
        org_id: orgId,
        kind: kind.name,
        status: starts ? 'running' : 'queued',
        input: JSON.stringify(request.input),
        output: null,
        error_code: null,
        error_message: null,
        priority: request.priority ?? 0,
        attempts: starts ? 1 : 0,
        run_at: runAt,
        available_at: leaseExpires ?? runAt,
        lease_owner: starts ? start.owner : null,
        lease_expires_at: leaseExpires,
        items_total: specs.length,
        items_succeeded: 0,
        items_failed: 0,
        credits_reserved: reserve,
        credits_charged: 0,
        last_event_seq: starts ? 2 : 1, // `job.queued`, then `job.started`
        progress: null,
        queue: request.queue ?? null,
        trace_context: span.traceContext,
        created_at: now,
        started_at: starts ? now : null,
        completed_at: null,
        updated_at: now,
      },
      items,
    );
    if (request.idempotency) {
      const response = request.idempotency.respond(job);
      await idempotencyComplete(trx, orgId, request.idempotency.key, {
        status: response.status,
        body: JSON.stringify(response.body),
        headers: response.headers,
      });
    }
    const first = items[0]!;
    const started: ClaimedJob | null = starts
      ? {
          job: Object.fromEntries(HELD_JOB_COLUMNS.map((column) => [column, job[column]])) as HeldJob,
          item: { job_id: id, seq: 0, key: first.key, input: first.input, attempts: first.attempts },
        }
      : null;
    return { job, started };
  });
  return span.around(submitted);
}
