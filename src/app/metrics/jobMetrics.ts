/**
 * This process's job series, counted from the engine's observer calls (src/engine/observer.ts):
 * what its workers claimed, processed and ended. Per process, as Prometheus counters are: sum
 * them across instances. The queue itself (jobs waiting, the oldest's age) is the database's,
 * read at scrape time (queueMetrics.ts).
 *
 * Labels are the kind and a closed set of outcomes (and an item's error code on retries, a
 * kind's own short list), never a job or an organisation: a series per job would grow without end.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { EngineObserver } from '../../engine/index.ts';

/** Seconds, from a no-op job's few milliseconds to an hour-long render. */
const DURATION_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];

export function jobMetrics(registry: Registry): EngineObserver {
  const registers = [registry];
  const queueWait = new Histogram({
    name: 'longrun_job_queue_wait_seconds',
    help: 'Time from when a job became due to its first claim, by kind',
    labelNames: ['kind'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const duration = new Histogram({
    name: 'longrun_job_duration_seconds',
    help: 'Time from a job’s first start to its end, by kind and final status (jobs that started)',
    labelNames: ['kind', 'status'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const ended = new Counter({
    name: 'longrun_jobs_ended_total',
    help: 'Jobs ended by this process (a cancel: by the process that took it), by kind and final status',
    labelNames: ['kind', 'status'],
    registers,
  });
  const items = new Counter({
    name: 'longrun_items_total',
    help: 'Items processed by this process, by kind and outcome (succeeded, failed, retry, abandoned)',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: 'longrun_item_retries_total',
    help: 'Item attempts that will be retried, by kind and error code',
    labelNames: ['kind', 'error_code'],
    registers,
  });
  const leasesLost = new Counter({
    name: 'longrun_job_leases_lost_total',
    help: 'Jobs whose lease this process found gone while it held them (another worker may take them over)',
    labelNames: ['kind'],
    registers,
  });
  const credits = new Counter({
    name: 'longrun_credits_charged_total',
    help: 'Credits charged for jobs ended by this process, by kind',
    labelNames: ['kind'],
    registers,
  });

  return {
    jobClaimed({ job, queueWaitSeconds }) {
      if (queueWaitSeconds !== null) queueWait.observe({ kind: job.kind }, queueWaitSeconds);
    },
    itemEnded({ job, outcome, errorCode }) {
      items.inc({ kind: job.kind, outcome });
      if (outcome === 'retry') retries.inc({ kind: job.kind, error_code: errorCode ?? 'unknown' });
    },
    jobEnded({ job, status, seconds, creditsCharged }) {
      ended.inc({ kind: job.kind, status });
      if (seconds !== null) duration.observe({ kind: job.kind, status }, seconds);
      if (creditsCharged > 0) credits.inc({ kind: job.kind }, creditsCharged);
    },
    leaseLost({ job }) {
      leasesLost.inc({ kind: job.kind });
    },
  };
}
