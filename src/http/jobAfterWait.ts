/**
 * What every status route does first: the organisation's job by ID (and kind, when the route
 * serves one), held for `?wait=N` until its status changes; the route's own 404 otherwise.
 */
import type { FastifyRequest } from 'fastify';
import { type Engine, jobGetForOrg, type JobRow, waitForJobChange } from '../engine/index.ts';
import type { AppError } from '../errors.ts';
import type { Db } from '../store/database.ts';
import { orgOf } from './plugins/auth.ts';

export async function jobAfterWait(
  db: Db,
  engine: Engine,
  request: FastifyRequest,
  lookup: { jobId: string; wait?: number; kind?: string; notFound(jobId: string): AppError; allowed?(job: JobRow, request: FastifyRequest): void },
): Promise<JobRow> {
  const job = await jobGetForOrg(db, orgOf(request), lookup.jobId);
  if (!job || (lookup.kind !== undefined && job.kind !== lookup.kind)) throw lookup.notFound(lookup.jobId);
  // Before any wait: a key that may not see the job learns so at once (the route's 403).
  lookup.allowed?.(job, request);
  // Most requests do not wait: no controller and no listener for them (a measurable share of a
  // status GET's CPU in `npm run bench -- http`).
  if (!lookup.wait) return job;
  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  return waitForJobChange(db, engine.signals, job, lookup.wait ?? 0, abort.signal);
}
