/** `POST /demo/sleep`: submits a `sleep` job (only with LONGRUN_DEMO_KINDS=1); its status route is `GET /jobs/{id}`. */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, type JobKind, type JobRow, jobView, JobView } from '../../engine/index.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { ContentOk } from '../../http/schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../../http/submissionAnswer.ts';
import type { Db } from '../../store/database.ts';
import { Accepted, SubmitBody, type SleepInput } from './schemas.ts';

export async function sleepRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine; kind: JobKind<SleepInput> }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/demo/sleep',
    {
      // The demonstration kind belongs to no product family: any product scope submits it.
      config: { scope: 'any-product-scope', idempotent: true },
      schema: {
        tags: ['demo'],
        summary: 'Submit a demonstration job whose items sleep',
        description: `Its status route is \`GET /jobs/{id}\`. ${PREFER_WAIT_DOC}`,
        body: SubmitBody,
        response: { 200: ContentOk(Type.Ref(JobView)), 202: Accepted },
      },
    },
    async (request, reply) => {
      const { priority, runAt, ...input } = request.body;
      const accepted = (jobId: string) => ({ success: true as const, data: { jobId, status: 'queued' as const } });
      const statusPath = (jobId: string) => `/jobs/${jobId}`;
      const job = await opts.engine.submit({
        orgId: orgOf(request),
        kind: opts.kind,
        input: input as SleepInput,
        priority,
        runAt: runAt ? new Date(runAt) : undefined,
        idempotency: request.idempotency
          ? { key: request.idempotency.key, respond: (j) => ({ status: 202, body: accepted(j.id), headers: acceptedHeaders(request, statusPath(j.id)) }) }
          : null,
      });
      const finished = async (row: JobRow) => ({ success: true as const, data: jobView(row) });
      return answerSubmission(opts, request, reply, { job, statusPath: statusPath(job.id), accepted: accepted(job.id), finished });
    },
  );
}
