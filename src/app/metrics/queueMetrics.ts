/**
 * The queue's gauges, read from the database when Prometheus scrapes (`jobsOpenByKind`), so every
 * process of a cluster reports the same values whatever it runs: aggregate them across instances
 * with max, not sum. One query per `ttlMs` (3 s) per process, however many scrapers ask.
 *
 * Every registered kind has its series, 0 when it has no job, so an alert on a kind does not
 * go silent when its queue empties. Internal kinds (webhook deliveries) are included: a backlog
 * of deliveries is an operator's concern too.
 */
import { Gauge, type Registry } from 'prom-client';
import { jobsOpenByKind, type OpenJobsOfKind } from '../../engine/index.ts';
import type { Db } from '../../store/database.ts';
import { cachedRead } from './cachedRead.ts';

export interface QueueMetricsOptions {
  db: Db;
  /** The kinds this process knows, each given a series even when it has no job. */
  kinds: () => string[];
  ttlMs?: number;
}

export function queueMetrics(registry: Registry, opts: QueueMetricsOptions): void {
  const read = cachedRead(opts.ttlMs ?? 3_000, () => jobsOpenByKind(opts.db));
  // The database away: these series are left out of the scrape (an alert on `absent()` sees it),
  // and the rest of /metrics is still served.
  const readOrNull = () => read().catch(() => null);
  new Gauge({
    name: 'longrun_jobs',
    help: 'Unfinished jobs in the database by kind and status: queued (due), scheduled (run time not come), running',
    labelNames: ['kind', 'status'],
    registers: [registry],
    async collect() {
      const snapshot = await readOrNull();
      this.reset();
      if (!snapshot) return;
      const { rows } = snapshot;
      for (const kind of opts.kinds()) for (const status of ['queued', 'scheduled', 'running']) this.set({ kind, status }, 0);
      // One row per kind and status: a queued row holds the scheduled jobs too.
      for (const { kind, status, jobs, notYetDue } of rows) {
        if (status === 'running') this.set({ kind, status }, jobs);
        else {
          this.set({ kind, status: 'queued' }, jobs - notYetDue);
          this.set({ kind, status: 'scheduled' }, notYetDue);
        }
      }
    },
  });
  new Gauge({
    name: 'longrun_queue_oldest_job_age_seconds',
    help: 'Age of the oldest queued job whose run time has come, by kind (0 when none waits), by the database clock',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const snapshot = await readOrNull();
      this.reset();
      if (!snapshot) return;
      const { rows, now } = snapshot;
      const ages = new Map<string, number>(opts.kinds().map((kind) => [kind, 0]));
      for (const row of rows) if (row.oldestDueAt) ages.set(row.kind, ageSeconds(row, now));
      for (const [kind, age] of ages) this.set({ kind }, age);
    },
  });
}

function ageSeconds(row: OpenJobsOfKind, now: string): number {
  return Math.max(0, (Date.parse(now) - Date.parse(row.oldestDueAt!)) / 1000);
}
