/**
 * What sourcing runs and enrichment runs share on the wire: the family's three run states over
 * the engine's five — queued and running are `processing` (202 with Retry-After), completed is
 * `completed`, failed and canceled are `failed` (200; a canceled run reports `CANCELED`) — the
 * 202 that accepts a run, and the lookup of a run by ID (404 `REQUEST_NOT_FOUND` for another
 * organisation's run or another kind's ID) with `?wait=`.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine, JobKind, JobRow } from '../../../engine/index.ts';
import { AppError } from '../../../errors.ts';
import { orgOf } from '../../../http/plugins/auth.ts';
import { jobAfterWait } from '../../../http/jobAfterWait.ts';
import { acceptedHeaders, answerSubmission } from '../../../http/submissionAnswer.ts';
import { POLL_AFTER_SECONDS } from '../../../http/routes/jobs.ts';
import type { Db } from '../../../store/database.ts';
import type { WebhookTargets } from '../../ports.ts';

export type RunStatus = 'processing' | 'completed' | 'failed';

export function runStatusOf(job: JobRow): RunStatus {
  if (job.status === 'queued' || job.status === 'running') return 'processing';
  return job.status === 'completed' ? 'completed' : 'failed';
}

export function runErrorOf(job: JobRow, fallbackMessage: string): { errorCode: string; errorMessage: string } {
  if (job.status === 'canceled') return { errorCode: 'CANCELED', errorMessage: 'The run was canceled before it finished.' };
  return { errorCode: job.error_code ?? 'INTERNAL_ERROR', errorMessage: job.error_message ?? fallbackMessage };
}

export const RunParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** A run of this kind and organisation, or 404 REQUEST_NOT_FOUND; `?wait` applied. */
export async function runForRequest(
  db: Db,
  engine: Engine,
  request: FastifyRequest & { params: { id: string }; query: { wait?: number } },
  kind: string,
): Promise<JobRow> {
  const { id } = request.params;
  return jobAfterWait(db, engine, request, {
    jobId: id,
    wait: request.query.wait,
    kind,
    notFound: (jobId) => new AppError('request_not_found', `No request ${jobId}.`),
  });
}

/**
 * The `webhookId` of a run: an endpoint of this organisation (403 when it is another's, 422
 * when there is none) that subscribes to the run's completed or failed event (else 422). It
 * then gets the run's event, as every subscribed endpoint of the organisation does.
 */
export async function checkRunWebhook(db: Db, webhooks: WebhookTargets, orgId: string, webhookId: string | undefined, kind: JobKind<never>): Promise<void> {
  if (!webhookId || !kind.webhooks) return;
  const { completed, failed } = kind.webhooks;
  const endpoint = await webhooks.endpointFor(db, webhookId, [completed, failed]);
  if (!endpoint) throw new AppError('validation_error', `webhookId ${webhookId} names no webhook endpoint.`, 422);
  if (endpoint.orgId !== orgId) throw new AppError('forbidden', `Webhook ${webhookId} belongs to another organisation.`);
  if (!endpoint.subscribed) {
    throw new AppError('validation_error', `Webhook ${webhookId} subscribes to neither ${completed} nor ${failed}.`, 422);
  }
}

/** How a run's submission answers: the 202's body, its status route, and that route's answer once finished. */
export interface RunAnswers<Accepted, Finished> {
  accepted(job: JobRow): Accepted;
  statusPath(jobId: string): string;
  finished(job: JobRow): Promise<Finished>;
}

/**
 * Submits a run and answers 202 with `accepted(job)` and its status route's URL, or with the
 * finished results under `Prefer: wait` (submissionAnswer.ts); Idempotency-Key replays the answer sent.
 */
export async function submitRun<Input extends { webhookId?: string }, Accepted, Finished>(
  db: Db,
  engine: Engine,
  webhooks: WebhookTargets,
  kind: JobKind<Input>,
  request: FastifyRequest & { body: Input },
  reply: FastifyReply,
  answers: RunAnswers<Accepted, Finished>,
): Promise<Accepted | Finished> {
  await checkRunWebhook(db, webhooks, orgOf(request), request.body.webhookId, kind as JobKind<never>);
  const job = await engine.submit({
    orgId: orgOf(request),
    kind,
    input: request.body,
    idempotency: request.idempotency
      ? {
          key: request.idempotency.key,
          respond: (j) => ({ status: 202, body: answers.accepted(j), headers: acceptedHeaders(request, answers.statusPath(j.id)) }),
        }
      : null,
  });
  return answerSubmission({ db, engine }, request, reply, {
    job,
    statusPath: answers.statusPath(job.id),
    accepted: answers.accepted(job),
    finished: answers.finished,
  });
}

/** A results body goes out as 202 with Retry-After while processing, else 200. */
export function sendRunResults<Body extends { status: RunStatus }>(reply: FastifyReply, body: Body): Body {
  if (body.status === 'processing') reply.code(202).header('retry-after', String(POLL_AFTER_SECONDS));
  return body;
}
