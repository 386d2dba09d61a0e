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
import type { ItemSpec, JobKind } from './kind.ts';
import { jobPlan, jobRows } from './newJob.ts';
import { submitSpanStart } from './submitSpan.ts';
import { jobInsert, orgJobAdded } from './sql/jobInsert.ts';
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
  const plan = jobPlan(request);
  const {
    request: { kind, orgId },
    id,
    reserve,
  } = plan;
  const requestedAt = request.runAt?.toISOString();
  // Due now by this process's clock: it may start here, if the database's clock agrees below.
  const mayStart = start !== null && request.queue === undefined && !(requestedAt && requestedAt > nowIso());
  const span = submitSpanStart(kind.name, id, plan.specs.length, request.traceContext);

  // In the caller's transaction when there is one (a job finishing submits its webhook deliveries).
  const submitted = inTransaction(db, async (trx) => {
    submittedIn.add(trx);
    if (reserve > 0) await creditsReserve(trx, orgId, id, reserve);
    // The submission's times are the database's clock's (`Driver.now`): a lease or a due time
    // written by a process whose clock is wrong would run out, or come, early or late.
    const { unfinished, now } = await orgJobAdded(trx, orgId, mayStart);
    // Its running jobs are among its unfinished ones (counted under the row's lock, this one
    // included): when those leave room, the start needs no count of running jobs, a statement
    // (on PostgreSQL a round trip) fewer at a steady trickle.
    const starts =
      mayStart &&
      !(requestedAt && requestedAt > now) &&
      !(await start.throttled?.(trx, orgId, kind.name)) &&
      (unfinished <= start.orgConcurrency || (await orgRunningCount(trx, orgId, now, start.uncountedKinds)) < start.orgConcurrency);
    const leaseExpires = starts ? new Date(Date.parse(now) + start.leaseMs).toISOString() : null;
    const rows = jobRows(plan, now, span.traceContext, leaseExpires ? { owner: start!.owner, leaseExpires } : null);
    const job = await jobInsert(trx, rows.job, rows.items);
    if (request.idempotency) {
      const response = request.idempotency.respond(job);
      await idempotencyComplete(trx, orgId, request.idempotency.key, {
        status: response.status,
        body: JSON.stringify(response.body),
        headers: response.headers,
      });
    }
    const first = rows.items[0]!;
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
