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

/**
 * A metric's child per label values, looked up once: prom-client hashes a labels object on every
 * call otherwise (see plugins/metrics.ts), and these are counted several times a job.
 */
function childrenOf<C>(labelNames: string[], child: (labels: Record<string, string>) => C): (...values: string[]) => C {
  const made = new Map<string, C>();
  return (...values) => {
    const key = values.join('\n');
    let found = made.get(key);
    if (!found) {
      found = child(Object.fromEntries(labelNames.map((name, i) => [name, values[i]!])));
      made.set(key, found);
    }
    return found;
  };
}

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

  const waitOf = childrenOf(['kind'], (labels) => queueWait.labels(labels));
  const durationOf = childrenOf(['kind', 'status'], (labels) => duration.labels(labels));
  const endedOf = childrenOf(['kind', 'status'], (labels) => ended.labels(labels));
  const itemsOf = childrenOf(['kind', 'outcome'], (labels) => items.labels(labels));
  const creditsOf = childrenOf(['kind'], (labels) => credits.labels(labels));

  return {
    jobClaimed({ job, queueWaitSeconds }) {
      if (queueWaitSeconds !== null) waitOf(job.kind).observe(queueWaitSeconds);
    },
    itemEnded({ job, outcome, errorCode }) {
      itemsOf(job.kind, outcome).inc();
      if (outcome === 'retry') retries.inc({ kind: job.kind, error_code: errorCode ?? 'unknown' });
    },
    jobEnded({ job, status, seconds, creditsCharged }) {
      endedOf(job.kind, status).inc();
      if (seconds !== null) durationOf(job.kind, status).observe(seconds);
      if (creditsCharged > 0) creditsOf(job.kind).inc(creditsCharged);
    },
    leaseLost({ job }) {
      leasesLost.inc({ kind: job.kind });
    },
  };
}
