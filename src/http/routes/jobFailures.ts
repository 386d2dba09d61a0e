/**
 * `GET /jobs/failures`: what has been failing, for an operator at a glance: the organisation's
 * failed items and failed jobs since an instant, counted per kind and error code, over the kinds
 * the key may read. `since` is required: an answer that depends on when it is asked could not
 * be cached or compared. `GET /jobs?status=failed&since=` lists the jobs.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, failuresCountByCode, FailuresQuery, FailuresView } from '../../engine/index.ts';
import type { Db } from '../../store/database.ts';
import { kindsListed } from '../jobKindScopes.ts';
import { orgOf } from '../plugins/auth.ts';
import { ContentOk } from '../schemas.ts';

export async function jobFailureRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/jobs/failures',
    {
      config: { scope: 'job-kind:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Failed items and jobs since an instant, counted per kind and error code',
        description:
          'Only kinds the key may read; `?kind=` narrows to one (403 for a kind the key may not read). An item counts when it failed, a job when it ended `failed`. The jobs themselves: `GET /jobs?status=failed&since=`.',
        querystring: FailuresQuery,
        response: { 200: ContentOk(FailuresView) },
      },
    },
    async (request) => {
      const since = new Date(request.query.since).toISOString();
      const failures = await failuresCountByCode(opts.db, orgOf(request), { kinds: kindsListed(request, opts.engine, request.query.kind), since });
      return { success: true as const, data: { since, failures } };
    },
  );
}
