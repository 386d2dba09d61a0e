/**
 * `POST /sourcing` starts a sourcing run; `GET /sourcing/{id}/results` answers 202 while it runs
 * and 200 with the ranked candidates (or the failure) once it ends. `?wait=N` holds the answer
 * until the run changes state. A run of another organisation, or an ID of another kind, is 404
 * `REQUEST_NOT_FOUND`.
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, itemsAllForJob, type JobKind, type JobRow } from '../../../engine/index.ts';
import { WaitQuery } from '../../../http/schemas.ts';
import { PREFER_WAIT_DOC } from '../../../http/submissionAnswer.ts';
import type { Db } from '../../../store/database.ts';
import type { WebhookTargets } from '../../ports.ts';
import type { SourcingResult } from './kind.ts';
import { FinishedBodies } from '../../../http/finishedBodies.ts';
import { Accepted, Completed, Processing, RunFailed, SourcingInput } from './schemas.ts';
import { RunParams, runErrorOf, runForRequest, runStatusOf, sendRunResults, submitRun } from './runs.ts';

const FAILED_MESSAGE = 'An unexpected error occurred during sourcing.';

async function resultsBody(db: Db, job: JobRow) {
  if (runStatusOf(job) === 'processing') {
    const processing = 'processing' as const;
    const message = 'Sourcing is in progress. Please poll again in a few seconds.';
    return { success: true as const, requestId: job.id, status: processing, message, candidatesSourcedCount: 0, createdAt: job.created_at };
  }
  return finishedBody(db, job);
}

/** The results of a run that has finished (completed, failed or canceled). */
async function finishedBody(db: Db, job: JobRow) {
  const base = { success: true as const, requestId: job.id };
  if (runStatusOf(job) === 'failed') {
    return { ...base, status: 'failed' as const, ...runErrorOf(job, FAILED_MESSAGE), createdAt: job.created_at, completedAt: job.completed_at! };
  }
  const [item] = await itemsAllForJob(db, job.id);
  const result = JSON.parse(item!.result!) as SourcingResult;
  return {
    ...base,
    status: 'completed' as const,
    foundCount: result.foundCount,
    scoredCount: result.scoredCount,
    creditsConsumed: job.credits_charged,
    createdAt: job.created_at,
    completedAt: job.completed_at!,
    candidates: result.candidates,
  };
}

export async function sourcingRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine; kind: JobKind<SourcingInput>; webhooks: WebhookTargets }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine, kind } = opts;
  const finishedBodies = new FinishedBodies();

  app.post(
    '/sourcing',
    {
      config: { scope: 'sourcing:write', idempotent: true },
      schema: {
        tags: ['sourcing'],
        summary: "Start a sourcing run: search the organisation's pool for a role and score the best matches",
        description: `402 when the balance is below \`limit\`. 1 credit per candidate returned; the rest of the reservation is released. ${PREFER_WAIT_DOC}`,
        body: SourcingInput,
        response: { 200: Type.Union([Completed, RunFailed('req_<uuid>')]), 202: Accepted },
      },
    },
    async (request, reply) => {
      const respond = (job: JobRow) => ({
        success: true as const,
        requestId: job.id,
        status: 'processing' as const,
        message: 'Sourcing run accepted and queued for processing.',
        webhookId: request.body.webhookId ?? null,
        createdAt: job.created_at,
        updatedAt: job.updated_at,
      });
      return submitRun(db, engine, opts.webhooks, kind, request, reply, {
        accepted: respond,
        statusPath: (id) => `/sourcing/${id}/results`,
        finished: (job) => finishedBody(db, job),
      });
    },
  );

  app.get(
    '/sourcing/:id/results',
    {
      config: { scope: 'sourcing:read' },
      schema: {
        tags: ['sourcing'],
        summary: "A sourcing run's results",
        description: '202 while processing (with Retry-After), 200 with the candidates best first, or 200 with `status: "failed"`.',
        params: RunParams,
        querystring: WaitQuery,
        response: { 200: Type.Union([Completed, RunFailed('req_<uuid>')]), 202: Processing },
      },
    },
    async (request, reply) => {
      const job = await runForRequest(db, engine, request, kind.name);
      return finishedBodies.send(reply, job, async () => sendRunResults(reply, await resultsBody(db, job)));
    },
  );
}
