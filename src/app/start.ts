/**
 * `longrun serve`: migrate, make the default organisation on first start, listen, and shut down
 * gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the database).
 */
import type { FastifyInstance } from 'fastify';
import { ensureDefaultOrganisation } from './bootstrap.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/database.ts';
import { openMigratedStore } from '../store/migrate.ts';
import { buildApp } from './apiServer.ts';
import type { Engine } from '../engine/index.ts';
import { startBackground } from './background.ts';
import { compose } from './families.ts';
import { describeDatabase, startProcessHealth } from './processHealth.ts';
import { createLogger } from './logger.ts';
import { tracingStart } from '../telemetry/tracing.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  url: string;
  close(): Promise<void>;
}

function firstStartBanner(url: string, key: string, credits: number): string {
  return [
    '',
    `First start: created organisation "default" with ${credits} credits and this API key.`,
    'It is shown only this once; keep it somewhere safe:',
    '',
    `  ${key}`,
    '',
    "Try it (the README's examples read these two variables):",
    `  export LONGRUN_URL=${url}`,
    `  export LONGRUN_API_KEY=${key}`,
    `  curl -H "Authorization: Bearer ${key}" ${url}/me`,
    '',
    `API reference: ${url}/docs`,
    '',
  ].join('\n');
}

export async function startServer(config: Config): Promise<RunningServer> {
  const tracing = tracingStart(config.tracing);
  const store = await openMigratedStore(config.databaseUrl, config.dbPoolSize);
  const firstKey = await ensureDefaultOrganisation(store.db, config.initialCredits);

  const log = createLogger(config);
  const composition = compose(config, store, log);
  const { engine } = composition;
  const app = await buildApp(composition);

  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://127.0.0.1');
  // Listed in GET /workers before it says it serves.
  const health = await startProcessHealth({ role: 'api', workerSlots: config.workers, config, store, engine, log });
  // One write, so a reader of stdout sees the address and the first key together.
  const banner = firstKey ? `${firstStartBanner(url, firstKey, config.initialCredits)}\n` : '';
  process.stdout.write(`longrun is serving on ${url} (${describeDatabase(config.databaseUrl)})\n${banner}`);

  engine.start();
  const background = startBackground(composition);

  const close = async () => {
    await background.stop();
    engine.signals.shutdown(); // long-polls answer, event streams end
    await app.close(); // stop accepting, finish in-flight requests
    const stopped = await engine.stop(config.shutdownGraceMs); // finish or give back current items, release leases
    await health.stopped(stopped); // leaves the list of processes, logs what it held and handed back
    await store.close();
    await tracing?.shutdown(); // the last spans are exported before the process exits
  };
  return { app, store, engine, url, close };
}

/** Closes the server (or worker) on SIGTERM/SIGINT; gives up and exits after the grace period. */
export function closeOnSignals(server: Pick<RunningServer, 'app' | 'close'>, graceMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    // The engine's grace period plus a margin for HTTP and the database.
    const force = setTimeout(() => {
      server.app.log.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, graceMs + 5_000);
    force.unref();
    server
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
