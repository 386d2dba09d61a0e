/**
 * `longrun worker`: runs jobs, serves no API. It migrates (harmless when already done: the
 * migrator takes a lock), runs the engine's worker slots, and answers `/healthz`, `/readyz` and
 * `/metrics` on a side port for the orchestrator. Any number of workers can share a PostgreSQL
 * database; they find work through FOR UPDATE SKIP LOCKED claims and wake on LISTEN/NOTIFY.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Config } from '../config.ts';
import type { Engine } from '../engine/index.ts';
import { createAgentScheduler, createEngine } from './families.ts';
import type { Store } from '../store/database.ts';
import { openMigratedStore } from '../store/migrate.ts';
import { authPlugin } from '../http/plugins/auth.ts';
import { errorsPlugin } from '../http/plugins/errors.ts';
import { metricsPlugin } from '../http/plugins/metrics.ts';
import { healthRoutes } from '../http/routes/health.ts';
import { locateMediaTools } from '../families/clips/binaries.ts';
import { ContentError } from '../http/schemas.ts';

export interface RunningWorker {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  url: string;
  close(): Promise<void>;
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  const store = await openMigratedStore(config.databaseUrl, config.dbPoolSize);
  const log: FastifyBaseLogger = pino({ level: config.logLevel });
  const engine = createEngine({ ...config, workers: Math.max(config.workers, 1) }, store, log);

  const app = Fastify({ loggerInstance: log });
  app.addSchema(ContentError);
  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { store });
  await app.register(authPlugin, { db: store.db });
  await app.register(healthRoutes, { store, tools: locateMediaTools(config.clips) });
  const address = await app.listen({ host: config.host, port: config.workerPort });
  const url = address.replace('://[::1]', '://localhost');
  process.stdout.write(`longrun worker is running ${Math.max(config.workers, 1)} slots; health and metrics on ${url}\n`);
  engine.start();
  const scheduler = createAgentScheduler(store, engine, log);
  scheduler.start();

  const close = async () => {
    await scheduler.stop();
    engine.signals.shutdown();
    await engine.stop(config.shutdownGraceMs);
    await app.close();
    await store.close();
  };
  return { app, store, engine, url, close };
}
