/**
 * A job's life in the log, one line per step an operator follows: started (each claim), an item
 * to be retried, ended, and a lost lease (warn: a worker too slow or cut off from the database).
 * Each line carries jobId, kind and orgId, so one job's lines are found with one filter.
 * Items that succeed or fail are not logged one by one (the job's end counts them, and
 * `GET /jobs/{id}/items` lists them); debug level logs them.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EngineObserver, ObservedJob } from '../engine/index.ts';

const fields = (job: ObservedJob) => ({ jobId: job.id, kind: job.kind, orgId: job.orgId });

export function jobLog(log: FastifyBaseLogger): EngineObserver {
  return {
    jobClaimed({ job, attempt, queueWaitSeconds }) {
      log.info({ ...fields(job), attempt, ...(queueWaitSeconds !== null ? { queueWaitSeconds } : {}) }, 'job started');
    },
    itemEnded({ job, item, outcome, seconds, attempt, errorCode }) {
      if (outcome === 'retry') log.info({ ...fields(job), item, attempt, errorCode }, 'item will be retried');
      else log.debug({ ...fields(job), item, outcome, seconds, attempt, errorCode }, 'item ended');
    },
    jobEnded({ job, status, seconds, creditsCharged }) {
      log.info({ ...fields(job), status, seconds, creditsCharged }, 'job ended');
    },
    leaseLost({ job }) {
      log.warn(fields(job), 'job lease lost; another worker may take it over');
    },
  };
}
