/**
 * Bulk actions over the organisation's jobs: `POST /jobs/cancel` (and `POST /jobs/rerun`, see
 * jobRerun.ts) take `{"ids": [...]}` or `{"kind", "status"?, "limit"?}` and report, per job,
 * what they did. At most MAX_BULK jobs a request; with `kind`, `more` says whether others matched.
 *
 * A job of another organisation reads `not_found`, exactly as an ID that never existed; one of
 * the caller's whose kind the key may not write reads `forbidden` (its existence is no secret
 * from its own organisation, as on the single-job routes: jobKindScopes.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  BulkBody,
  BulkResults,
  type Engine,
  jobGetForOrg,
  jobIdsForOrgByKind,
  jobRerun,
  type JobRow,
  MAX_BULK,
  type RerunOutcome,
} from '../../engine/index.ts';
import { InsufficientCreditsError } from '../../store/ledger.ts';
import { AppError } from '../../errors.ts';
import type { Db } from '../../store/database.ts';
import type { JobStatus } from '../../store/schema.ts';
import { requireKindScope } from '../jobKindScopes.ts';
import { orgOf } from '../plugins/auth.ts';
import { ContentOk } from '../schemas.ts';

export type BulkResult = Static<typeof BulkResults>['results'][number];

/** The jobs a bulk body names: its IDs, or its kind's jobs in `statuses` (the body's `status`, else `defaults`). */
export async function bulkTargets(
  db: Db,
  engine: Engine,
  request: FastifyRequest,
  body: Static<typeof BulkBody>,
  defaults: JobStatus[],
  toRerun = false,
): Promise<{ ids: string[]; more: boolean }> {
  const { ids, kind, status, limit } = body;
  if ((ids === undefined) === (kind === undefined))
    throw new AppError('validation_error', 'Send either `ids` or `kind` (with `status` and `limit` if you like).', 422);
  if (ids) {
    if (status !== undefined || limit !== undefined) throw new AppError('validation_error', '`status` and `limit` go with `kind`, not with `ids`.', 422);
    return { ids: [...new Set(ids)], more: false };
  }
  // A kind this server does not know has no jobs; one it knows needs its write scope (403).
  if (!engine.kind(kind!)) return { ids: [], more: false };
  requireKindScope(request, engine, kind!, 'write');
  const most = limit ?? MAX_BULK;
  const found = await jobIdsForOrgByKind(db, orgOf(request), { kind: kind!, statuses: status ? [status] : defaults, limit: most + 1, toRerun });
  return { ids: found.slice(0, most), more: found.length > most };
}

/**
 * Runs `act` on each of the organisation's jobs named, one after another, once the job is
 * known to be the caller's and writable by the key; the others are reported as such.
 */
export async function bulkEach(
  db: Db,
  engine: Engine,
  request: FastifyRequest,
  ids: string[],
  act: (job: JobRow) => Promise<BulkResult>,
): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const id of ids) {
    const job = await jobGetForOrg(db, orgOf(request), id);
    if (!job) {
      results.push({ id, outcome: 'not_found' });
      continue;
    }
    try {
      requireKindScope(request, engine, job.kind, 'write');
    } catch {
      results.push({ id, outcome: 'forbidden' });
      continue;
    }
    results.push(await act(job));
  }
  return results;
}

export async function jobBulkRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine } = opts;

  app.post(
    '/jobs/cancel',
    {
      config: { scope: 'job-kind:write' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel several jobs: by ID, or the queued and running jobs of a kind',
        description: `\`{"ids": [...]}\` (at most ${MAX_BULK}) or \`{"kind", "status"?, "limit"?}\` (queued and running by default, oldest first). Each job as \`POST /jobs/{id}/cancel\` would; \`results\` says per job: \`canceled\`, \`already_finished\` (with its status), \`not_found\` or \`forbidden\`.`,
        body: BulkBody,
        response: { 200: ContentOk(BulkResults) },
      },
    },
    async (request) => {
      const { ids, more } = await bulkTargets(db, engine, request, request.body, ['queued', 'running']);
      const results = await bulkEach(db, engine, request, ids, async (job) => {
        const result = await engine.cancel(job.org_id, job.id);
        if (!result) return { id: job.id, outcome: 'not_found' }; // deleted meanwhile (retention)
        return result.canceled
          ? { id: job.id, outcome: 'canceled', status: result.job.status }
          : { id: job.id, outcome: 'already_finished', status: result.job.status };
      });
      return { success: true as const, data: { results, more } };
    },
  );

  app.post(
    '/jobs/rerun',
    {
      config: { scope: 'job-kind:write', idempotent: true },
      schema: {
        tags: ['jobs'],
        summary: 'Rerun several finished jobs: by ID, or the jobs of a kind with items that did not succeed',
        description: `\`{"ids": [...]}\` (at most ${MAX_BULK}) or \`{"kind", "status"?, "limit"?}\` (finished jobs of the kind with a failed or canceled item and no rerun yet, oldest first). Each job as \`POST /jobs/{id}/rerun\` would; \`results\` says per job: \`rerun\` (with \`rerunId\`), \`not_finished\`, \`nothing_to_rerun\`, \`insufficient_credits\`, \`not_found\` or \`forbidden\`. \`Idempotency-Key\` replays the answer.`,
        body: BulkBody,
        response: { 200: ContentOk(BulkResults) },
      },
    },
    async (request) => {
      const { ids, more } = await bulkTargets(db, engine, request, request.body, ['completed', 'failed', 'canceled'], true);
      const results = await bulkEach(db, engine, request, ids, async (job) => {
        let outcome: RerunOutcome;
        try {
          outcome = await jobRerun(db, engine, job.org_id, job.id);
        } catch (error) {
          if (error instanceof InsufficientCreditsError) return { id: job.id, outcome: 'insufficient_credits' };
          throw error;
        }
        switch (outcome.type) {
          case 'rerun':
            return { id: job.id, outcome: 'rerun', rerunId: outcome.job.id };
          case 'not_finished':
            return { id: job.id, outcome: 'not_finished', status: outcome.status };
          case 'not_found':
            return { id: job.id, outcome: 'not_found' };
          case 'not_rerunnable':
            return { id: job.id, outcome: 'not_rerunnable' };
          default:
            return { id: job.id, outcome: 'nothing_to_rerun', status: job.status };
        }
      });
      return { success: true as const, data: { results, more } };
    },
  );
}
