/**
 * How every route that submits work answers: 202 with `Location` and `Operation-Location` (the
 * absolute URL of the job's status route), or — when the request says `Prefer: wait=N`
 * (RFC 7240) and the job finishes within N seconds — what its status route would answer for the
 * finished job, with `Preference-Applied: wait=N` and `Content-Location`.
 *
 * The submission has committed before this runs: a failure while waiting, or while building the
 * finished answer, falls back to the 202 (never a 5xx for work that was accepted).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Engine, isFinished, type JobRow, MAX_WAIT_SECONDS, waitForJobEnd } from '../engine/index.ts';
import type { Db } from '../store/database.ts';
import { baseUrl } from './baseUrl.ts';

/** What OpenAPI descriptions of submitting routes say about it. */
export const PREFER_WAIT_DOC =
  `\`Prefer: wait=N\` (N ≤ ${MAX_WAIT_SECONDS}): when the work finishes within N seconds the answer is the status route's, 200 with \`Preference-Applied\`; ` +
  'otherwise 202 with `Location` and `Operation-Location` naming the status route. A replay of an `Idempotency-Key` is the first answer again and never waits.';

/**
 * The `wait` preference of a `Prefer` header, in seconds (at most MAX_WAIT_SECONDS), or 0 when
 * there is none. A malformed preference is ignored, as RFC 7240 asks; of several `wait`s the
 * first counts.
 */
export function preferredWait(header: string | string[] | undefined): number {
  if (header === undefined) return 0;
  for (const value of Array.isArray(header) ? header : [header]) {
    for (const preference of value.split(',')) {
      const [token = ''] = preference.split(';');
      const match = /^\s*wait\s*=\s*"?(\d{1,9})"?\s*$/i.exec(token);
      if (match) return Math.min(Number(match[1]), MAX_WAIT_SECONDS);
    }
  }
  return 0;
}

/** The headers of a 202 that accepted work whose status route is `statusPath`. */
export function acceptedHeaders(request: FastifyRequest, statusPath: string): Record<string, string> {
  const url = baseUrl(request) + statusPath;
  return { location: url, 'operation-location': url };
}

export interface Submission<Accepted, Finished> {
  /** The job that does the work. */
  job: JobRow;
  /** Its status route, a path (`/sourcing/req_…/results`). */
  statusPath: string;
  /** The 202's body. */
  accepted: Accepted;
  /** The status route's answer for the job once finished (sent as 200). */
  finished(job: JobRow): Promise<Finished>;
}

export async function answerSubmission<Accepted, Finished>(
  deps: { db: Db; engine: Engine },
  request: FastifyRequest,
  reply: FastifyReply,
  submission: Submission<Accepted, Finished>,
): Promise<Accepted | Finished> {
  const wait = preferredWait(request.headers.prefer);
  if (wait > 0) {
    const finished = await finishedWithin(deps, reply, submission, wait).catch((err: unknown) => {
      request.log.warn({ err, jobId: submission.job.id }, 'Prefer: wait could not be honoured; answering 202');
      return null;
    });
    if (finished) {
      reply
        .code(200)
        .header('preference-applied', `wait=${wait}`)
        .header('content-location', baseUrl(request) + submission.statusPath);
      return finished.body;
    }
  }
  reply.code(202).headers(acceptedHeaders(request, submission.statusPath));
  return submission.accepted;
}

async function finishedWithin<Finished>(
  deps: { db: Db; engine: Engine },
  reply: FastifyReply,
  submission: Submission<unknown, Finished>,
  wait: number,
): Promise<{ body: Finished } | null> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  // The response's close, not the request's: a request whose body was read has closed already.
  reply.raw.once('close', onClose);
  try {
    const job = await waitForJobEnd(deps.db, deps.engine.signals, submission.job, wait, abort.signal);
    return isFinished(job) ? { body: await submission.finished(job) } : null;
  } finally {
    reply.raw.off('close', onClose);
  }
}
