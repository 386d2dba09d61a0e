/**
 * `GET /stats/jobs`: the organisation's jobs in figures, for the dashboard's overview — queued
 * and running now by kind, and what ended in the last hour or day in buckets (throughput and
 * failures), the queued job waiting longest, and failures by error code. Read-only; like
 * `GET /jobs` it counts only the kinds the key may read, the server's bookkeeping kinds
 * (webhook deliveries) included, as a backlog of those is the operator's concern too.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Engine, JobStats, JobStatsQuery, jobsStatsForOrg, type JobStatsRows, STATS_WINDOWS } from '../../engine/index.ts';
import type { Db } from '../../store/database.ts';
import { timeBuckets } from '../../store/timeBuckets.ts';
import { orgOf } from '../plugins/auth.ts';
import { kindsReadable } from '../jobKindScopes.ts';
import { ContentOk } from '../schemas.ts';

type KindFigures = { kind: string; queued: number; running: number; completed: number; failed: number; canceled: number };
const ENDED = ['completed', 'failed', 'canceled'] as const;

function byKind(rows: JobStatsRows): KindFigures[] {
  const kinds = new Map<string, KindFigures>();
  const of = (kind: string) => kinds.get(kind) ?? kinds.set(kind, { kind, queued: 0, running: 0, completed: 0, failed: 0, canceled: 0 }).get(kind)!;
  for (const r of rows.open) if (r.status === 'queued' || r.status === 'running') of(r.kind)[r.status] += r.jobs;
  for (const r of rows.ended) if ((ENDED as readonly string[]).includes(r.status)) of(r.kind)[r.status as (typeof ENDED)[number]] += r.jobs;
  return [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

function byBucket(rows: JobStatsRows, starts: string[]) {
  const buckets = starts.map((start) => ({ start, completed: 0, failed: 0, canceled: 0, itemsSucceeded: 0, itemsFailed: 0 }));
  for (const r of rows.ended) {
    const bucket = buckets[r.bucket];
    if (!bucket || !(ENDED as readonly string[]).includes(r.status)) continue;
    bucket[r.status as (typeof ENDED)[number]] += r.jobs;
    bucket.itemsSucceeded += r.itemsSucceeded;
    bucket.itemsFailed += r.itemsFailed;
  }
  return buckets;
}

export async function jobStatsRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/stats/jobs',
    {
      config: { scope: 'any-product-scope' },
      schema: {
        tags: ['jobs'],
        summary: "The organisation's jobs in figures: now, and over the last hour or day",
        description:
          'Queued and running now, by kind; the jobs that ended in the window by kind and in time buckets (jobs and their items); ' +
          'the queued job waiting longest; failures by error code. Only kinds the key may read.',
        querystring: JobStatsQuery,
        response: { 200: ContentOk(JobStats) },
      },
    },
    async (request) => {
      const window = request.query.window ?? 'hour';
      const nowMs = Date.now();
      const { starts, end } = timeBuckets(STATS_WINDOWS[window].buckets, STATS_WINDOWS[window].bucketSeconds, nowMs);
      const rows = await jobsStatsForOrg(opts.db, orgOf(request), kindsReadable(request, opts.engine), { starts, end, now: new Date(nowMs).toISOString() });
      return {
        success: true as const,
        data: {
          window,
          from: starts[0]!,
          to: end,
          bucketSeconds: STATS_WINDOWS[window].bucketSeconds,
          kinds: byKind(rows),
          buckets: byBucket(rows, starts),
          oldestQueued: rows.oldestQueued,
          failures: rows.failures,
        },
      };
    },
  );
}
