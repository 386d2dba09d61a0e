/**
 * `POST /jobs/{id}/rerun`: a finished job's failed and canceled items (all, or `keys`) run again
 * as a new job, reserving and charging for those items only; 202 with the new job's ID (the
 * original stays as it was). `Idempotency-Key` makes a retried request one rerun; `Prefer: wait`
 * as on every submission (submissionAnswer.ts). Kinds opt in (`JobKind.rerunnable`).
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Engine, jobGetForOrg, jobRerun, type JobRow, jobView, JobView, RerunAccepted, RerunBody, type RerunOutcome } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import type { Db } from '../../store/database.ts';
import { requireKindScope } from '../jobKindScopes.ts';
import { orgOf } from '../plugins/auth.ts';
import { ContentOk } from '../schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../submissionAnswer.ts';

const JobParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** The status route's path of a rerun: the generic one (a family's, e.g. enrichment's, shows it too). */
export const rerunStatusPath = (jobId: string) => `/jobs/${jobId}`;

/** A rerun that did not happen, as the single-job route answers it. */
export function rerunRefusal(jobId: string, outcome: Exclude<RerunOutcome, { type: 'rerun' }>): AppError {
  switch (outcome.type) {
    case 'not_found':
      return new AppError('not_found', `No job ${jobId}.`);
    case 'not_finished':
      return new AppError('conflict', `Job ${jobId} is ${outcome.status}: only a finished job can be rerun.`);
    case 'not_rerunnable':
      return new AppError('conflict', `Jobs of kind "${outcome.kind}" cannot be rerun.`);
    case 'nothing_to_rerun':
      return new AppError('conflict', `Job ${jobId} has no failed or canceled items to rerun.`);
    case 'unknown_keys':
      return new AppError('validation_error', `body.keys: no failed or canceled item with key ${outcome.keys.slice(0, 5).join(', ')}.`, 422);
  }
}

/** Reruns a job of the caller's organisation (403 unless the key may write its kind). */
export async function rerunForRequest(db: Db, engine: Engine, request: FastifyRequest, job: JobRow, keys: string[] | undefined): Promise<RerunOutcome> {
  requireKindScope(request, engine, job.kind, 'write');
  return jobRerun(db, engine, orgOf(request), job.id, {
    keys,
    idempotency: request.idempotency
      ? {
          key: request.idempotency.key,
          respond: (next) => ({ status: 202, body: rerunAccepted(next, job.id), headers: acceptedHeaders(request, rerunStatusPath(next.id)) }),
        }
      : null,
  });
}

/** The 202's body of a rerun. */
export const rerunAccepted = (next: JobRow, rerunOf: string) => ({
  success: true as const,
  data: { jobId: next.id, rerunOf, status: 'queued' as const, items: next.items_total },
});

export async function jobRerunRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine } = opts;

  app.post(
    '/jobs/:id/rerun',
    {
      config: { scope: 'job-kind:write', idempotent: true },
      // No body is `{}`: rerun everything that did not succeed.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['jobs'],
        summary: "Run a finished job's failed and canceled items again, as a new job",
        description: `Reserves and charges for those items only; the original keeps its results. \`keys\` picks some of them (422 for a key that did not fail). 409 while the job runs, when nothing failed, or for a kind that cannot be rerun (renders, clip analysis, document ingestion, agent runs, webhook deliveries). An enrichment rerun shows every profile on \`GET /sourcing/enrich/{id}/results\`. ${PREFER_WAIT_DOC}`,
        params: JobParams,
        body: RerunBody,
        response: { 200: ContentOk(Type.Ref(JobView)), 202: ContentOk(RerunAccepted) },
      },
    },
    async (request, reply) => {
      const job = await jobGetForOrg(db, orgOf(request), request.params.id);
      if (!job) throw rerunRefusal(request.params.id, { type: 'not_found' });
      const outcome = await rerunForRequest(db, engine, request, job, request.body.keys);
      if (outcome.type !== 'rerun') throw rerunRefusal(job.id, outcome);
      const next = outcome.job;
      return answerSubmission(opts, request, reply, {
        job: next,
        statusPath: rerunStatusPath(next.id),
        accepted: rerunAccepted(next, job.id),
        finished: async (row) => ({ success: true as const, data: jobView(row) }),
      });
    },
  );
}
