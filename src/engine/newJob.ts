/**
 * A new job's rows, as one submission (`submit.ts`) and a bulk submission (`submitMany.ts`)
 * both write them: the kind's items checked, the price reserved, and the job row with every
 * column given (the insert returns nothing; see `jobsInsert`).
 */
import { type ItemSpec, WHOLE_JOB_ITEM } from './kind.ts';
import type { NewItem } from './sql/jobInsert.ts';
import type { SubmitRequest } from './submit.ts';
import type { JobRow } from './types.ts';

export interface PlannedJob<Input> {
  request: SubmitRequest<Input>;
  id: string;
  specs: ItemSpec[];
  /** Credits reserved: the most each item may cost, times the items. */
  reserve: number;
}

/** The request's items and price, checked before anything is written: a kind that fails here refuses the submission. */
export function jobPlan<Input>(request: SubmitRequest<Input>): PlannedJob<Input> {
  const { kind, input } = request;
  const specs = request.items ?? (kind.items ? kind.items(input) : [WHOLE_JOB_ITEM]);
  if (specs.length === 0) throw new Error(`kind ${kind.name} produced no items`);
  if (new Set(specs.map((s) => s.key)).size !== specs.length) throw new Error(`kind ${kind.name} produced duplicate item keys`);
  const reserve = (kind.pricing ? kind.pricing.maxPerItem(input) : kind.creditsPerItem) * specs.length;
  return { request, id: request.id ?? kind.newJobId(), specs, reserve };
}

/** When a submission starts its job at once: its owner and lease (see `jobSubmitAndStart`). */
export interface StartedBy {
  owner: string;
  leaseExpires: string;
}

/**
 * The rows of a planned job submitted at `now` (the database's clock) with its trace context;
 * queued, or, given `startedBy`, leased with its first item running and its `job.started`
 * number taken, as the claim leaves a job it takes for the first time.
 */
export function jobRows<Input>(
  plan: PlannedJob<Input>,
  now: string,
  traceContext: string | null,
  startedBy: StartedBy | null = null,
): { job: JobRow; items: NewItem[] } {
  const { request, id, specs, reserve } = plan;
  const requestedAt = request.runAt?.toISOString();
  const runAt = requestedAt && requestedAt > now ? requestedAt : now;
  const items: NewItem[] = specs.map((spec, seq) => ({
    job_id: id,
    seq,
    key: spec.key,
    status: startedBy && seq === 0 ? 'running' : 'pending',
    input: spec.input === undefined ? null : JSON.stringify(spec.input),
    attempts: startedBy && seq === 0 ? 1 : 0,
    available_at: runAt,
    started_at: startedBy && seq === 0 ? now : null,
  }));
  const job: JobRow = {
    id,
    org_id: request.orgId,
    kind: request.kind.name,
    status: startedBy ? 'running' : 'queued',
    input: JSON.stringify(request.input),
    output: null,
    error_code: null,
    error_message: null,
    priority: request.priority ?? 0,
    attempts: startedBy ? 1 : 0,
    run_at: runAt,
    available_at: startedBy?.leaseExpires ?? runAt,
    lease_owner: startedBy?.owner ?? null,
    lease_expires_at: startedBy?.leaseExpires ?? null,
    items_total: specs.length,
    items_succeeded: 0,
    items_failed: 0,
    credits_reserved: reserve,
    credits_charged: 0,
    last_event_seq: startedBy ? 2 : 1, // `job.queued`, then `job.started`
    progress: null,
    queue: request.queue ?? null,
    trace_context: traceContext,
    created_at: now,
    started_at: startedBy ? now : null,
    completed_at: null,
    updated_at: now,
  };
  return { job, items };
}
