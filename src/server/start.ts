/**
 * `longrun serve`: migrate, make the default organisation on first start, listen, and shut down
 * gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close the database).
 */
import type { FastifyInstance } from 'fastify';
import { ensureDefaultOrganisation } from '../bootstrap.ts';
import type { Config } from '../config.ts';
import { startPeriodic } from '../maintenance/periodic.ts';
import { openStore, type Store } from '../store/database.ts';
import { idempotencyDeleteExpired } from '../store/idempotency.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { nowIso } from '../ids.ts';
import { buildApp } from './app.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

function describeDatabase(config: Config): string {
  return config.databaseUrl.startsWith('sqlite:')
    ? `SQLite at ${config.databaseUrl.slice('sqlite:'.length)}`
    : `PostgreSQL at ${config.databaseUrl.replace(/\/\/[^@]*@/, '//')}`;
}

function firstStartBanner(url: string, key: string, credits: number): string {
  return [
    '',
    `First start: created organisation "default" with ${credits} credits and this API key.`,
    'It is shown only this once; keep it somewhere safe:',
    '',
    `  ${key}`,
    '',
    'Try it:',
    `  curl -H "Authorization: Bearer ${key}" ${url}/me`,
    `  open ${url}/docs for the API reference`,
    '',
  ].join('\n');
}

export async function startServer(config: Config): Promise<RunningServer> {
  const store = openStore(config.databaseUrl, config.dbPoolSize);
  try {
    await migrateToLatest(store.db);
  } catch (error) {
    await store.close();
    throw error;
  }
  const firstKey = await ensureDefaultOrganisation(store.db, config.initialCredits);

  const app = await buildApp({ config, store });
  const stopPruning = startPeriodic('prune idempotency keys', 3_600_000, () => idempotencyDeleteExpired(store.db, nowIso()), app.log);
  app.addHook('onClose', async () => {
    stopPruning();
    await store.close();
  });

  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('://[::1]', '://localhost').replace('://0.0.0.0', '://127.0.0.1');
  // One write, so a reader of stdout sees the address and the first key together.
  const banner = firstKey ? `${firstStartBanner(url, firstKey, config.initialCredits)}\n` : '';
  process.stdout.write(`longrun is serving on ${url} (${describeDatabase(config)})\n${banner}`);

  return { app, store, url, close: () => app.close() };
}

/** Closes the server on SIGTERM/SIGINT; gives up and exits after the grace period. */
export function closeOnSignals(server: RunningServer, graceMs: number): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      server.app.log.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
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
