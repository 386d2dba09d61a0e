/**
 * The credit ledger read for people, for the dashboard's credits page: `GET /credits/history`
 * (the balance over a day, a week or a month) and `GET /credits/ledger/jobs` (the ledger grouped
 * by job). Read-only; any product scope, like the balance and the ledger.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.ts';
import { creditsBalanceHistory, creditsLedgerByJob } from '../../store/ledgerHistory.ts';
import { timeBuckets } from '../../store/timeBuckets.ts';
import { orgOf } from '../plugins/auth.ts';
import { ContentOk, CreditHistory, CreditHistoryQuery, HISTORY_WINDOWS, LedgerByJobPage, PageQuery } from '../schemas.ts';

export async function creditHistoryRoutes(instance: FastifyInstance, opts: { db: Db }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/credits/history',
    {
      config: { scope: 'any-product-scope' },
      schema: {
        tags: ['account'],
        summary: 'The credit balance over the last day, week or month',
        description: 'One point per bucket, oldest first: the balance at its end, and what was granted and spent in it.',
        querystring: CreditHistoryQuery,
        response: { 200: ContentOk(CreditHistory) },
      },
    },
    async (request) => {
      const window = request.query.window ?? 'week';
      const { buckets, bucketSeconds } = HISTORY_WINDOWS[window];
      const { starts, end } = timeBuckets(buckets, bucketSeconds, Date.now());
      const points = await creditsBalanceHistory(opts.db, orgOf(request), starts, end);
      return { success: true as const, data: { window, from: starts[0]!, to: end, bucketSeconds, points } };
    },
  );

  app.get(
    '/credits/ledger/jobs',
    {
      config: { scope: 'any-product-scope' },
      schema: {
        tags: ['account'],
        summary: 'The credit ledger grouped by job, newest first',
        description:
          "Per job: reserved, charged (and how many items), released. An entry of no job (a grant) is a group of its own. A job's entries: `GET /credits/ledger?ref=<job>`.",
        querystring: PageQuery,
        response: { 200: ContentOk(LedgerByJobPage) },
      },
    },
    async (request) => ({ success: true as const, data: await creditsLedgerByJob(opts.db, orgOf(request), request.query) }),
  );
}
