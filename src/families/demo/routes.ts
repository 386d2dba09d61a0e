/** `POST /demo/sleep`: submits a `sleep` job (only with LONGRUN_DEMO_KINDS=1). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Engine, JobKind } from '../../engine/index.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { Accepted, SubmitBody, type SleepInput } from './schemas.ts';

export async function sleepRoutes(instance: FastifyInstance, opts: { engine: Engine; kind: JobKind<SleepInput> }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/demo/sleep',
    {
      // The demonstration kind belongs to no product family: any product scope submits it.
      config: { scope: 'any-product-scope', idempotent: true },
      schema: { tags: ['demo'], summary: 'Submit a demonstration job whose items sleep', body: SubmitBody, response: { 202: Accepted } },
    },
    async (request, reply) => {
      const { priority, runAt, ...input } = request.body;
      const respond = (jobId: string) => ({ status: 202, body: { success: true as const, data: { jobId, status: 'queued' as const } } });
      const job = await opts.engine.submit({
        orgId: orgOf(request),
        kind: opts.kind,
        input: input as SleepInput,
        priority,
        runAt: runAt ? new Date(runAt) : undefined,
        idempotency: request.idempotency ? { key: request.idempotency.key, respond: (j) => respond(j.id) } : null,
      });
      return reply.code(202).send(respond(job.id).body);
    },
  );
}
