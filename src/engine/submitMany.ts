/**
 * Submitting many jobs at once, as a bulk insert (graphile-worker's `addJobs`, BullMQ's
 * `addBulk`): the same checks, rows and views as as many `jobSubmit`s in one transaction, but
 * written per batch, not per job — per organisation one credit reservation and one turn update
 * (in organisation order, accounts first: the lock order of `DeferredWrites`), then one insert of
 * all the jobs and one of all their items. All or nothing: a request refused (an unknown item
 * shape, an organisation short of credits) leaves none of the batch behind. No job starts at
 * submission: the claim takes them, as after `submitIn`.
 */
import { inTransaction, type Db } from '../store/database.ts';
import { idempotencyComplete } from '../store/idempotency.ts';
import { creditsReserveMany } from '../store/ledger.ts';
import { WHOLE_JOB_ITEM, type JobKind } from './kind.ts';
import { jobsInsert, orgJobAdded, type NewItem } from './sql/jobInsert.ts';
import type { SubmitRequest } from './submit.ts';
import { submitSpanStart } from './submitSpan.ts';
import type { JobRow } from './types.ts';

/** A kind's items for an input, checked as `jobSubmitAndStart` checks them. */
function itemSpecsOf<Input>(kind: JobKind<Input>, input: Input) {
  const specs = kind.items ? kind.items(input) : [WHOLE_JOB_ITEM];
  if (specs.length === 0) throw new Error(`kind ${kind.name} produced no items`);
  if (new Set(specs.map((s) => s.key)).size !== specs.length) throw new Error(`kind ${kind.name} produced duplicate item keys`);
  return specs;
}

export async function jobsSubmitMany<Input>(db: Db, requests: SubmitRequest<Input>[]): Promise<JobRow[]> {
  if (requests.length === 0) return [];
  // Every request's items and price before anything is written: a kind that throws refuses the batch.
  const planned = requests.map((request) => {
    const { kind, input } = request;
    const specs = itemSpecsOf(kind, input);
    const id = request.id ?? kind.newJobId();
    const reserve = (kind.pricing ? kind.pricing.maxPerItem(input) : kind.creditsPerItem) * specs.length;
    return { request, specs, id, reserve, span: submitSpanStart(kind.name, id, specs.length, request.traceContext) };
  });
  const submitted = inTransaction(db, async (trx) => {
    await creditsReserveMany(
      trx,
      planned.filter((p) => p.reserve > 0).map((p) => ({ orgId: p.request.orgId, ref: p.id, amount: p.reserve })),
    );
    // The database's clock, per organisation (see `jobSubmitAndStart`).
    const nowOf = new Map<string, string>();
    for (const orgId of [...new Set(requests.map((r) => r.orgId))].sort()) {
      nowOf.set(orgId, (await orgJobAdded(trx, orgId, false, requests.filter((r) => r.orgId === orgId).length)).now);
    }
    const items: NewItem[] = [];
    const jobs: JobRow[] = planned.map(({ request, specs, id, reserve, span }) => {
      const now = nowOf.get(request.orgId)!;
      const requestedAt = request.runAt?.toISOString();
      const runAt = requestedAt && requestedAt > now ? requestedAt : now;
      specs.forEach((spec, seq) =>
        items.push({
          job_id: id,
          seq,
          key: spec.key,
          status: 'pending',
          input: spec.input === undefined ? null : JSON.stringify(spec.input),
          attempts: 0,
          available_at: runAt,
          started_at: null,
        }),
      );
      return {
        id,
        org_id: request.orgId,
        kind: request.kind.name,
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
        last_event_seq: 1, // `job.queued`
        progress: null,
        queue: request.queue ?? null,
        trace_context: span.traceContext,
        created_at: now,
        started_at: null,
        completed_at: null,
        updated_at: now,
      };
    });
    await jobsInsert(trx, jobs, items);
    for (const [i, { request }] of planned.entries()) {
      if (!request.idempotency) continue;
      const response = request.idempotency.respond(jobs[i]!);
      await idempotencyComplete(trx, request.orgId, request.idempotency.key, { status: response.status, body: JSON.stringify(response.body) });
    }
    return jobs;
  });
  const [jobs] = await Promise.all(planned.map((p) => p.span.around(submitted)));
  return jobs!;
}
