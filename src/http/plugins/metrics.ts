/**
 * Prometheus metrics at `/metrics` (prom-client): requests and their latency by route pattern,
 * database pool and query timings, and the process's own metrics, added to the registry the
 * composition root made (which holds the job, queue and webhook series: src/app/metrics/).
 *
 * `/metrics` needs a key with the `metrics:read` scope granted by name: it describes the whole
 * server, not one organisation, so an ordinary tenant key does not open it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../../store/database.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export const metricsPlugin = fp(async (app: FastifyInstance, opts: { store: Store; registry: Registry }) => {
  const { registry } = opts;
  collectDefaultMetrics({ register: registry });
  app.decorate('metrics', registry);

  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'longrun_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'longrun_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'longrun_db_pool_connections',
    help: 'Database connections by state (SQLite has one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const stats = opts.store.poolStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });

  const detachQueries = queryMetrics(registry, opts.store);
  app.addHook('onClose', async () => detachQueries());

  // A callback hook, not an async one: every request runs it.
  const series = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<(typeof labelNames)[number]> }>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: IDs in paths would make a series per job.
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let child = series.get(key);
    if (!child) {
      const labels = { method: request.method, route, status_code: String(reply.statusCode) };
      child = { requests: requests.labels(labels), latency: latency.labels(labels) };
      series.set(key, child);
    }
    child.requests.inc();
    child.latency.observe(reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', { config: { scope: 'metrics:read', quietLog: true }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
});

/**
 * Every database query's time (`longrun_db_query_duration_seconds`), observed through the store;
 * returns what detaches it. Also used alone by `npm run bench -- tracing` (metrics on in the burn-down).
 */
export function queryMetrics(registry: Registry, store: Store): () => void {
  const queries = new Histogram({
    name: 'longrun_db_query_duration_seconds',
    help: 'Database query time',
    labelNames: ['outcome'],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  // Each series' child is looked up once: prom-client hashes a labels object on every call
  // otherwise, twice a status GET (`npm run bench -- http`, --cpu-prof).
  const queriesOk = queries.labels({ outcome: 'ok' });
  const queriesFailed = queries.labels({ outcome: 'error' });
  store.observeQuery = (seconds, failed) => (failed ? queriesFailed : queriesOk).observe(seconds);
  return () => {
    store.observeQuery = null;
  };
}
