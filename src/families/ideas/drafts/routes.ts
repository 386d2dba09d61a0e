/**
 * `POST /ideas/enrich` → 202 `{jobId, status: "queued"}`; `GET /ideas/enrich/{jobId}` is the seed
 * (`../shared/seeds/ideas-enrich-job.md`): `{jobId, status, enrichedContent, createdAt}`, the
 * drafts as one text once completed; `GET /ideas/enrich/{jobId}/drafts` (an addition) gives them
 * structured, with the platforms that failed. `?wait=N` holds either answer until the job
 * changes state; while it runs they carry Retry-After. Content-family envelope.
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Engine, isFinished, type ItemRow, itemsAllForJob, type JobKind, type JobRow } from '../../../engine/index.ts';
import { AppError } from '../../../errors.ts';
import { orgOf } from '../../../http/plugins/auth.ts';
import { POLL_AFTER_SECONDS } from '../../../http/routes/jobs.ts';
import { jobAfterWait } from '../../../http/jobAfterWait.ts';
import { ContentOk, WaitQuery } from '../../../http/schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../../../http/submissionAnswer.ts';
import type { Db } from '../../../store/database.ts';
import { kbFindForOrg } from '../kb/sql/kbs.ts';
import { enrichedContent, type Draft } from '../../../content/draft.ts';
import { EnrichAccepted, EnrichDrafts, EnrichJob, IdeaEnrichInput } from './schemas.ts';

/** The drafts written, in the order of the requested platforms. */
const draftsOf = (items: ItemRow[]): Draft[] => items.filter((i) => i.status === 'succeeded').map((i) => JSON.parse(i.result!) as Draft);

const Params = Type.Object({ jobId: Type.String({ maxLength: 100 }) });

/** The seed's answer for a job: its status, and the drafts as one text once completed. */
async function jobBody(db: Db, job: JobRow) {
  let content: string | undefined;
  if (job.status === 'completed') content = enrichedContent(draftsOf(await itemsAllForJob(db, job.id)));
  return {
    success: true as const,
    data: { jobId: job.id, status: job.status, ...(content !== undefined ? { enrichedContent: content } : {}), createdAt: job.created_at },
  };
}

export async function ideaRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine; kind: JobKind<IdeaEnrichInput> }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine, kind } = opts;

  const jobOf = (request: FastifyRequest & { params: { jobId: string }; query: { wait?: number } }): Promise<JobRow> =>
    jobAfterWait(db, engine, request, {
      jobId: request.params.jobId,
      wait: request.query.wait,
      kind: kind.name,
      notFound: (jobId) => new AppError('not_found', `No enrichment job ${jobId}.`),
    });

  app.post(
    '/ideas/enrich',
    {
      config: { scope: 'kb:write', idempotent: true },
      schema: {
        tags: ['ideas'],
        summary: 'Write drafts of an idea for 1–5 platforms',
        description: `With \`kbId\`, passages of that knowledge base are found for the idea, used and cited. 1 credit per draft, charged when it is written (402 if the balance is short). ${PREFER_WAIT_DOC}`,
        body: IdeaEnrichInput,
        response: { 200: ContentOk(EnrichJob), 202: ContentOk(EnrichAccepted) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      if (request.body.kbId) {
        if (!(await kbFindForOrg(db, orgId, request.body.kbId))) throw new AppError('validation_error', `body.kbId: no knowledge base ${request.body.kbId}.`);
      }
      const respond = (id: string) => ({ success: true as const, data: { jobId: id, status: 'queued' as const } });
      const statusPath = (id: string) => `/ideas/enrich/${id}`;
      const job = await engine.submit({
        orgId,
        kind,
        input: request.body,
        idempotency: request.idempotency
          ? { key: request.idempotency.key, respond: (j) => ({ status: 202, body: respond(j.id), headers: acceptedHeaders(request, statusPath(j.id)) }) }
          : null,
      });
      return answerSubmission(opts, request, reply, { job, statusPath: statusPath(job.id), accepted: respond(job.id), finished: (row) => jobBody(db, row) });
    },
  );

  app.get(
    '/ideas/enrich/:jobId',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['ideas'],
        summary: 'An enrichment job: status, and the drafts as text once completed',
        params: Params,
        querystring: WaitQuery,
        response: { 200: ContentOk(EnrichJob) },
      },
    },
    async (request, reply) => {
      const job = await jobOf(request);
      if (!isFinished(job)) reply.header('retry-after', String(POLL_AFTER_SECONDS));
      return jobBody(db, job);
    },
  );

  app.get(
    '/ideas/enrich/:jobId/drafts',
    {
      config: { scope: 'kb:read' },
      schema: {
        tags: ['ideas'],
        summary: 'The drafts of an enrichment job, structured (an addition to the seed route)',
        params: Params,
        querystring: WaitQuery,
        response: { 200: ContentOk(EnrichDrafts) },
      },
    },
    async (request, reply) => {
      const job = await jobOf(request);
      if (!isFinished(job)) reply.header('retry-after', String(POLL_AFTER_SECONDS));
      const items = await itemsAllForJob(db, job.id);
      const drafts = draftsOf(items);
      const failures = items
        .filter((i) => i.status === 'failed')
        .map((i) => ({ platform: i.key.replace(/^\d+-/, ''), errorCode: i.error_code ?? 'INTERNAL_ERROR', errorMessage: i.error_message ?? '' }));
      return {
        success: true as const,
        data: { jobId: job.id, status: job.status, drafts, failures, tokensUsed: drafts.reduce((n, d) => n + d.tokensUsed, 0) },
      };
    },
  );
}
