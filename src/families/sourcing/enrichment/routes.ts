/**
 * `POST /sourcing/enrich` starts an enrichment run; `GET /sourcing/enrich/{id}/results` is the
 * seed contract (`../shared/seeds/sourcing-enrich-results.md`) to the letter: 202 `processing`
 * with a message; 200 `completed` with counts, credits and per-profile results (failures
 * included, never billed); 200 `failed` with the error. Unknown or foreign IDs: 404
 * `REQUEST_NOT_FOUND`.
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, itemsWithReruns, type JobKind, type JobRow } from '../../../engine/index.ts';
import { AppError } from '../../../errors.ts';
import type { Candidate } from '../scoring/schemas.ts';
import { WaitQuery } from '../../../http/schemas.ts';
import { PREFER_WAIT_DOC } from '../../../http/submissionAnswer.ts';
import type { Db } from '../../../store/database.ts';
import type { WebhookTargets } from '../../ports.ts';
import { FinishedBodies } from '../../../http/finishedBodies.ts';
import { RunFailed } from '../runs/schemas.ts';
import { RunParams, runErrorOf, runForRequest, runStatusOf, sendRunResults, submitRun } from '../runs/runs.ts';
import { ENRICHMENT_FAILED_MESSAGE } from './kind.ts';
import { Accepted, Completed, EnrichmentInput, Processing } from './schemas.ts';

async function resultsBody(db: Db, job: JobRow) {
  if (runStatusOf(job) === 'processing') {
    const message = 'Enrichment is in progress. Please poll again in a few seconds.';
    return { success: true as const, requestId: job.id, status: 'processing' as const, message, createdAt: job.created_at };
  }
  return finishedBody(db, job);
}

/** The results of a run that has finished (completed, failed or canceled). */
async function finishedBody(db: Db, job: JobRow) {
  const base = { success: true as const, requestId: job.id };
  if (runStatusOf(job) === 'failed') {
    return { ...base, status: 'failed' as const, ...runErrorOf(job, ENRICHMENT_FAILED_MESSAGE), createdAt: job.created_at, completedAt: job.completed_at! };
  }
  // A rerun shows every profile of the run it reran, its earlier successes included (charged then, not now).
  const items = await itemsWithReruns(db, job);
  return {
    ...base,
    status: 'completed' as const,
    enrichedCount: items.filter((item) => item.status === 'succeeded').length,
    failureCount: items.filter((item) => item.status === 'failed').length,
    creditsConsumed: job.credits_charged,
    createdAt: job.created_at,
    completedAt: job.completed_at!,
    data: items.map((item) =>
      item.status === 'succeeded'
        ? { profileId: item.key, success: true as const, candidate: JSON.parse(item.result!) as Candidate }
        : {
            profileId: item.key,
            success: false as const,
            errorCode: item.error_code ?? 'INTERNAL_ERROR',
            errorMessage: item.error_message ?? ENRICHMENT_FAILED_MESSAGE,
          },
    ),
  };
}

export async function enrichmentRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine; kind: JobKind<EnrichmentInput>; webhooks: WebhookTargets }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine, kind } = opts;
  const finishedBodies = new FinishedBodies();

  app.post(
    '/sourcing/enrich',
    {
      config: { scope: 'enrich:write', idempotent: true },
      schema: {
        tags: ['sourcing'],
        summary: 'Start an enrichment run over 1–10 profiles found by sourcing runs',
        description: `402 when the balance is below the number of profileIds; 422 when profileIds has duplicates. 1 credit per profile enriched. ${PREFER_WAIT_DOC}`,
        body: EnrichmentInput,
        response: { 200: Type.Union([Completed, RunFailed('enr_<uuid>')]), 202: Accepted },
      },
    },
    async (request, reply) => {
      const { profileIds } = request.body;
      const repeated = profileIds.filter((id, i) => profileIds.indexOf(id) !== i);
      if (repeated.length > 0) {
        throw new AppError('validation_error', `profileIds must not repeat; repeated: ${[...new Set(repeated)].join(', ')}.`, 422);
      }
      const respond = (job: JobRow) => ({
        success: true as const,
        requestId: job.id,
        status: 'processing' as const,
        message: 'Enrichment run accepted and queued for processing.',
        createdAt: job.created_at,
        webhookId: request.body.webhookId ?? null,
      });
      return submitRun(db, engine, opts.webhooks, kind, request, reply, {
        accepted: respond,
        statusPath: (id) => `/sourcing/enrich/${id}/results`,
        finished: (job) => finishedBody(db, job),
      });
    },
  );

  app.get(
    '/sourcing/enrich/:id/results',
    {
      config: { scope: 'enrich:read' },
      schema: {
        tags: ['sourcing'],
        summary: "An enrichment run's results",
        description:
          '202 with status "processing" while the run is in progress (Retry-After), 200 with per-profile results once completed, 200 with status "failed" when the run could not process any profile.',
        params: RunParams,
        querystring: WaitQuery,
        response: { 200: Type.Union([Completed, RunFailed('enr_<uuid>')]), 202: Processing },
      },
    },
    async (request, reply) => {
      const job = await runForRequest(db, engine, request, kind.name);
      return finishedBodies.send(reply, job, async () => sendRunResults(reply, await resultsBody(db, job)));
    },
  );
}
