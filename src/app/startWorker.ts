/**
 * `longrun worker`: runs jobs, serves no API. It migrates (harmless when already done: the
 * migrator takes a lock), runs the engine's worker slots, and answers `/healthz`, `/readyz` and
 * `/metrics` on a side port for the orchestrator. Any number of workers can share a PostgreSQL
 * database; they find work through FOR UPDATE SKIP LOCKED claims and wake on LISTEN/NOTIFY.
 * Like `serve`, it runs the families' loops and the maintenance runner (background.ts).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Engine } from '../engine/index.ts';
import { startBackground } from './background.ts';
import { compose } from './families.ts';
import { startProcessHealth } from './processHealth.ts';
import { createLogger } from './logger.ts';
import type { Store } from '../store/database.ts';
import { openMigratedStore } from '../store/migrate.ts';
import { authPlugin } from '../http/plugins/auth.ts';
import { errorsPlugin } from '../http/plugins/errors.ts';
import { metricsPlugin } from '../http/plugins/metrics.ts';
import { healthRoutes } from '../http/routes/health.ts';
import { RequestLog } from '../http/requestLog.ts';
import { ContentError } from '../http/schemas.ts';
import { tracingStart } from '../telemetry/tracing.ts';

export interface RunningWorker {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  url: string;
  close(): Promise<void>;
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  const tracing = tracingStart(config.tracing);
  const store = await openMigratedStore(config.databaseUrl, config.dbPoolSize);
  const log = createLogger(config);
  const workerSlots = Math.max(config.workers, 1);
  const composition = compose({ ...config, workers: workerSlots }, store, log);
  const { engine } = composition;

  const app = Fastify({ loggerInstance: log, logController: new RequestLog() });
  app.addSchema(ContentError);
  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { store, registry: composition.metrics });
  await app.register(authPlugin, { db: store.db });
  await app.register(healthRoutes, { store, tools: composition.deps.mediaTools, storage: composition.deps.storage });
  const address = await app.listen({ host: config.host, port: config.workerPort });
  const url = address.replace('://[::1]', '://localhost');
  const health = await startProcessHealth({ role: 'worker', workerSlots, config, store, engine, log });
  process.stdout.write(`longrun worker is running ${workerSlots} slots; health and metrics on ${url}\n`);
  engine.start();
  const background = startBackground(composition);

  const close = async () => {
    await background.stop();
    engine.signals.shutdown();
    await health.stopped(await engine.stop(config.shutdownGraceMs));
    await app.close();
    await store.close();
    await tracing?.shutdown(); // the last spans are exported before the process exits
  };
  return { app, store, engine, url, close };
}
