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
import { jobPlan, jobRows } from './newJob.ts';
import { jobsInsert, orgJobAdded } from './sql/jobInsert.ts';
import type { SubmitRequest } from './submit.ts';
import { submitSpanStart } from './submitSpan.ts';
import type { JobRow } from './types.ts';

export async function jobsSubmitMany<Input>(db: Db, requests: SubmitRequest<Input>[]): Promise<JobRow[]> {
  if (requests.length === 0) return [];
  // Every request's items and price before anything is written: a kind that throws refuses the batch.
  const planned = requests.map((request) => {
    const plan = jobPlan(request);
    return { plan, span: submitSpanStart(request.kind.name, plan.id, plan.specs.length, request.traceContext) };
  });
  const submitted = inTransaction(db, async (trx) => {
    await creditsReserveMany(
      trx,
      planned.filter(({ plan }) => plan.reserve > 0).map(({ plan }) => ({ orgId: plan.request.orgId, ref: plan.id, amount: plan.reserve })),
    );
    // The database's clock, per organisation (see `jobSubmitAndStart`).
    const nowOf = new Map<string, string>();
    for (const orgId of [...new Set(requests.map((r) => r.orgId))].sort()) {
      nowOf.set(orgId, (await orgJobAdded(trx, orgId, false, requests.filter((r) => r.orgId === orgId).length)).now);
    }
    const rows = planned.map(({ plan, span }) => jobRows(plan, nowOf.get(plan.request.orgId)!, span.traceContext));
    const jobs = rows.map((r) => r.job);
    await jobsInsert(
      trx,
      jobs,
      rows.flatMap((r) => r.items),
    );
    for (const [i, { plan }] of planned.entries()) {
      const { request } = plan;
      if (!request.idempotency) continue;
      const response = request.idempotency.respond(jobs[i]!);
      await idempotencyComplete(trx, request.orgId, request.idempotency.key, {
        status: response.status,
        body: JSON.stringify(response.body),
        headers: response.headers,
      });
    }
    return jobs;
  });
  const [jobs] = await Promise.all(planned.map((p) => p.span.around(submitted)));
  return jobs!;
}
