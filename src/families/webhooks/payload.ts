/**
 * The body of a webhook: `{type, timestamp, data}` as Standard Webhooks has it. `data` says
 * which job ended and how: its ID (the `requestId` of the sourcing family), kind, status,
 * counts, credits, error, and — for kinds with a results route — the path to fetch.
 */
import type { EndedJob, JobKind } from '../../engine/index.ts';
import type { WebhookBody } from './schemas.ts';

export function jobEventBody(type: string, job: EndedJob & { input: string }, kind: JobKind, now: string): WebhookBody {
  const input: unknown = JSON.parse(job.input);
  return {
    type,
    timestamp: now,
    data: {
      jobId: job.id,
      kind: job.kind,
      status: job.status,
      total: job.items_total,
      succeeded: job.items_succeeded,
      failed: job.items_failed,
      creditsCharged: job.credits_charged,
      createdAt: job.created_at,
      completedAt: job.completed_at,
      ...(job.error_code ? { errorCode: job.error_code, errorMessage: job.error_message } : {}),
      ...(kind.webhooks?.resultsPath ? { resultsUrl: kind.webhooks.resultsPath(job.id, input) } : {}),
      ...(kind.webhooks?.describe ? kind.webhooks.describe(input) : {}),
    },
  };
}

export function pingBody(endpointId: string, now: string): WebhookBody {
  return { type: 'ping', timestamp: now, data: { webhookId: endpointId, message: 'A test event from longrun.' } };
}
