/**
 * The outbox: when a job of a kind with webhook events ends, one delivery row and one `webhook`
 * job per subscribed endpoint are written in the transaction that records the job's end.
 *
 * Guarantee: the job's final state and its deliveries commit together, so a crash between the
 * commit and the send loses nothing — the delivery job is claimed after restart like any other.
 */
import type { Engine, JobFinishedHook, JobKind } from '../../engine/index.ts';
import { newId, nowIso } from '../../ids.ts';
import type { DeliveryInput } from './deliveryKind.ts';
import { jobEventBody } from './payload.ts';
import { deliveryInsert } from './sql/deliveries.ts';
import { endpointsSubscribed } from './sql/endpoints.ts';

export function webhookOutbox(engine: Engine, delivery: JobKind<DeliveryInput>): JobFinishedHook {
  return async (trx, job) => {
    const kind = engine.kind(job.kind);
    if (!kind?.webhooks) return;
    const type = job.status === 'completed' ? kind.webhooks.completed : kind.webhooks.failed;
    const endpoints = await endpointsSubscribed(trx, job.org_id, type);
    if (endpoints.length === 0) return;
    // The end's statement returns no input (see `ENDED_JOB_COLUMNS`); the body needs it. The
    // deliveries continue the job's trace (its submission's), whichever process ends it.
    const { input, trace_context } = await trx.selectFrom('jobs').select(['input', 'trace_context']).where('id', '=', job.id).executeTakeFirstOrThrow();
    const now = nowIso();
    const payload = JSON.stringify(jobEventBody(type, { ...job, input }, kind, now));
    for (const endpoint of endpoints) {
      const id = newId('msg');
      const sender = await engine.submitIn(trx, { orgId: job.org_id, kind: delivery, input: { deliveryId: id }, traceContext: trace_context });
      await deliveryInsert(trx, {
        id,
        endpoint_id: endpoint.id,
        org_id: job.org_id,
        event_type: type,
        payload,
        job_id: sender.id,
        status: 'pending',
        attempts: 0,
        last_status_code: null,
        last_error: null,
        response_snippet: null,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
        delivered_at: null,
      });
    }
  };
}
