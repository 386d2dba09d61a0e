/**
 * Every job kind the server knows, registered on the engine, and the routes that submit them.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { Engine } from '../engine/engine.ts';
import type { Store } from '../store/database.ts';
import { sleepKind } from './sleep/kind.ts';
import { sleepRoutes } from './sleep/routes.ts';

export function createEngine(config: Config, store: Store, log: FastifyBaseLogger): Engine {
  const engine = new Engine({
    store,
    log: log.child({ component: 'engine' }),
    concurrency: config.workers,
    orgConcurrency: config.orgConcurrency,
    leaseMs: config.leaseMs,
  });
  if (config.demoKinds) engine.register(sleepKind({ logFile: config.demoLogFile }));
  return engine;
}

export async function kindRoutes(app: FastifyInstance, opts: { engine: Engine; config: Config }) {
  const sleep = opts.engine.kind('sleep');
  if (opts.config.demoKinds && sleep) await app.register(sleepRoutes, { engine: opts.engine, kind: sleep });
}
