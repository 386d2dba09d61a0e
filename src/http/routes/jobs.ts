/**
 * The generic routes over every job kind: list, status (with `?wait=`), items, cancel, and the
 * event stream. Content-family envelope `{success, data}`. A job of another organisation
 * answers 404 as if it did not exist; one of the caller's whose kind the key's scopes do not
 * open answers 403 naming the scope, and lists show only the kinds the key may read
 * (see jobKindScopes.ts).
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type Engine,
  isFinished,
  ItemsPage,
  itemsPageForJob,
  itemView,
  jobGetForOrg,
  type JobRow,
  JobsPage,
  jobsPageForOrg,
  JobsQuery,
  JobView,
  jobView,
  MAX_WAIT_SECONDS,
} from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import type { Db } from '../../store/database.ts';
import type { JobStatus } from '../../store/schema.ts';
import { orgOf } from '../plugins/auth.ts';
import { assertKindsScoped, kindsListed, requireKindScope } from '../jobKindScopes.ts';
import { FinishedBodies } from '../finishedBodies.ts';
import { jobAfterWait } from '../jobAfterWait.ts';
import { ContentOk, PageQuery, WaitQuery } from '../schemas.ts';
import { streamJobEvents } from './jobEvents.ts';

/** What status routes send in `Retry-After` while work runs. */
export const POLL_AFTER_SECONDS = 2;

const JobParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

function notFound(id: string): AppError {
  return new AppError('not_found', `No job ${id}.`);
}

// Made once, not per request: the functions a status GET would create each cost it a little
// (tsx names every function it creates, a property definition each).
const jobBody = async (job: JobRow) => ({ success: true as const, data: jobView(job) });

export async function jobRoutes(instance: FastifyInstance, opts: { db: Db; engine: Engine }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine } = opts;
  assertKindsScoped(engine);
  // Made once, like `jobBody` above: the status GET is the hottest route.
  const mayRead = (job: JobRow, request: FastifyRequest) => requireKindScope(request, engine, job.kind, 'read');
  // A job's view is about a kilobyte: 8 MB keeps the answers of thousands of finished jobs.
  const finishedBodies = new FinishedBodies(8 * 1024 * 1024);

  app.get(
    '/jobs',
    {
      config: { scope: 'job-kind:read' },
      schema: {
        tags: ['jobs'],
        summary: "The organisation's jobs, newest first",
        description:
          "Only kinds the key may read (each kind needs its family's read scope). `?kind=` for a kind the key may not read: 403; for a kind this server does not know: an empty list. " +
          `Without \`?kind=\`, the server's own bookkeeping kinds (${engine.internalKinds().join(', ')}) are left out. ` +
          '`createdFrom` and `createdTo` bound the creation time (from inclusive, to exclusive).',
        querystring: JobsQuery,
        response: { 200: ContentOk(JobsPage) },
      },
    },
    async (request) => {
      const { kind, status, since, limit, offset } = request.query;
      // Normalised to the store's form (UTC, milliseconds): an offset like +02:00 would not compare as text.
      const instant = (at: string | undefined) => (at ? new Date(at).toISOString() : undefined);
      const createdFrom = instant(request.query.createdFrom);
      const createdTo = instant(request.query.createdTo);
      if (createdFrom && createdTo && createdFrom >= createdTo) throw new AppError('validation_error', 'createdTo must be after createdFrom.');
      const kinds = kindsListed(request, engine, kind);
      const filter = { kinds, status: status as JobStatus | undefined, createdFrom, createdTo, since: instant(since), limit, offset };
      const { jobs, total } = await jobsPageForOrg(db, orgOf(request), filter);
      const reasons = await engine.waitingReasons(jobs);
      return { success: true as const, data: { jobs: jobs.map((job) => jobView(job, reasons.get(job.id))), total } };
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: { scope: 'job-kind:read' },
      schema: {
        tags: ['jobs'],
        summary: 'A job: status, progress, counts, timestamps, error',
        description: `202 while queued or running (with Retry-After), 200 once finished. \`?wait=N\` (N ≤ ${MAX_WAIT_SECONDS}) answers as soon as the status changes.`,
        params: JobParams,
        querystring: WaitQuery,
        response: { 200: ContentOk(Type.Ref(JobView)), 202: ContentOk(Type.Ref(JobView)) },
      },
    },
    async (request, reply) => {
      const job = await jobAfterWait(db, engine, request, {
        jobId: request.params.id,
        wait: request.query.wait,
        notFound,
        allowed: mayRead,
      });
      if (isFinished(job)) return finishedBodies.send(reply, job, jobBody);
      reply.code(202).header('retry-after', String(POLL_AFTER_SECONDS));
      return { success: true as const, data: jobView(job, (await engine.waitingReasons([job])).get(job.id)) };
    },
  );

  app.get(
    '/jobs/:id/items',
    {
      config: { scope: 'job-kind:read' },
      schema: {
        tags: ['jobs'],
        summary: "A job's items with their results and errors",
        params: JobParams,
        querystring: PageQuery,
        response: { 200: ContentOk(ItemsPage) },
      },
    },
    async (request) => {
      const job = await jobGetForOrg(db, orgOf(request), request.params.id);
      if (!job) throw notFound(request.params.id);
      requireKindScope(request, engine, job.kind, 'read');
      const { items, total } = await itemsPageForJob(db, job.id, request.query);
      return { success: true as const, data: { items: items.map(itemView), total } };
    },
  );

  app.post(
    '/jobs/:id/cancel',
    {
      config: { scope: 'job-kind:write' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a queued or running job',
        description:
          'Finished items keep their results and charges; unfinished ones (pending or running) end `canceled`; the rest of the reservation is released. 409 if the job already finished.',
        params: JobParams,
        response: { 200: ContentOk(Type.Ref(JobView)) },
      },
    },
    async (request) => {
      // The kind decides the scope, so the job is read first; a job's kind never changes.
      const job = await jobGetForOrg(db, orgOf(request), request.params.id);
      if (!job) throw notFound(request.params.id);
      requireKindScope(request, engine, job.kind, 'write');
      const result = await engine.cancel(orgOf(request), job.id);
      if (!result) throw notFound(request.params.id);
      if (!result.canceled) throw new AppError('conflict', `Job ${result.job.id} already ended with status ${result.job.status}.`);
      return { success: true as const, data: jobView(result.job) };
    },
  );

  app.get(
    '/jobs/:id/events',
    {
      config: { scope: 'job-kind:read', quietLog: true },
      schema: {
        tags: ['jobs'],
        summary: "A job's events as Server-Sent Events",
        description:
          'Replays events after `Last-Event-ID` (or `?lastEventId=`), then streams live; closes after the terminal event. 204 when the job has ended and the client has seen its last event.',
        params: JobParams,
        querystring: Type.Object({ lastEventId: Type.Optional(Type.Integer({ minimum: 0, maximum: 999_999_999 })) }, { additionalProperties: false }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 9, pattern: '^[0-9]{1,9}$' })) }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const job = await jobGetForOrg(db, orgOf(request), request.params.id);
      if (!job) throw notFound(request.params.id);
      requireKindScope(request, engine, job.kind, 'read');
      const after = Number(request.headers['last-event-id'] ?? request.query.lastEventId ?? 0);
      // A finished job whose last event the client has seen: 204 tells EventSource to stop reconnecting.
      if (isFinished(job) && job.last_event_seq <= after) return reply.code(204).send();
      streamJobEvents(request, reply, db, engine, job.id, after);
    },
  );
}
