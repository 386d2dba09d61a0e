/**
 * A real longrun server on a loopback port, over a fresh database in a temporary directory,
 * with one organisation and one key ready. Tests talk to it over real HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import type { Scope } from '../../src/scopes.ts';
import { creditsGrant } from '../../src/store/ledger.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { buildApp } from '../../src/app/apiServer.ts';
import { pino } from 'pino';
import type { Engine } from '../../src/engine/engine.ts';
import { compose } from '../../src/app/families.ts';
import { agentScheduler } from '../../src/families/agents/index.ts';
import type { AgentScheduler, Clock } from '../../src/families/agents/scheduler.ts';
import type { FamilyDeps } from '../../src/families/family.ts';
import type { MaintenanceTask } from '../../src/maintenance/task.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { orgCreate, type Organisation } from '../../src/store/orgs.ts';
import { freshTestDatabase } from './testDatabase.ts';

export function tempDir(prefix = 'longrun-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A migrated database of its own (SQLite or PostgreSQL, see testDatabase.ts) and a temporary
 * directory. `drop` closes nothing: close the store first, then drop.
 */
export async function testStore(): Promise<{ store: Store; dataDir: string; databaseUrl: string; drop(): Promise<void> }> {
  const database = await freshTestDatabase();
  const store = openStore(database.url, 5);
  await migrateToLatest(store.db);
  return { store, dataDir: database.dataDir, databaseUrl: database.url, drop: database.drop };
}

export interface TestServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  engine: Engine;
  /** What the server's families were built from (store, engine, clock, shared objects). */
  deps: FamilyDeps;
  /** The maintenance tasks as every process composes them (not run by a test server: call `run`). */
  maintenance: MaintenanceTask[];
  /** Started with the system clock; with a `clock` option it is not started: call `tick()`. */
  scheduler: AgentScheduler;
  config: Config;
  org: Organisation;
  key: string;
  /** Another organisation with a key, for isolation checks. */
  newOrg(name: string, opts?: { scopes?: Scope[]; credits?: number }): Promise<{ org: Organisation; key: string }>;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    credits?: number;
    routes?: (app: FastifyInstance) => Promise<void> | void;
    clock?: Clock;
    /** The server's logger (default: silent); see src/app/logger.ts to read its lines. */
    log?: FastifyBaseLogger;
    /** False: the engine is not started (call `engine.start()`), so submitted jobs stay queued. */
    startWorkers?: boolean;
  } = {},
): Promise<TestServer> {
  const { store, dataDir, databaseUrl, drop } = await testStore();
  const config = loadConfig({ dataDir, databaseUrl, port: 0, logLevel: 'silent' }, opts.env ?? {});
  const log = opts.log ?? pino({ level: 'silent' });
  const composition = compose(config, store, log, opts.clock);
  const { engine } = composition;
  const app = await buildApp(composition);
  const scheduler = agentScheduler(composition.deps);
  if (opts.routes) await app.register(async (scope) => opts.routes!(scope));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  if (opts.startWorkers !== false) engine.start();
  if (!opts.clock) scheduler.start();

  const newOrg: TestServer['newOrg'] = async (name, o = {}) => {
    const org = await orgCreate(store.db, name);
    if (o.credits) await creditsGrant(store.db, org.id, o.credits);
    const { key } = await apiKeyCreate(store.db, { orgId: org.id, scopes: o.scopes });
    return { org, key };
  };
  const first = await newOrg('test-org', { credits: opts.credits ?? 100 });

  return {
    url,
    app,
    store,
    engine,
    deps: composition.deps,
    maintenance: composition.maintenance,
    scheduler,
    config,
    org: first.org,
    key: first.key,
    newOrg,
    async close() {
      await scheduler.stop();
      engine.signals.shutdown();
      await app.close();
      await engine.stop(1000);
      await store.close();
      await drop();
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** One HTTP request; a JSON `json` is sent as the body, `raw` is sent as it is. */
export async function call(
  url: string,
  init: { method?: string; key?: string; headers?: Record<string, string>; json?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  let body: string | undefined;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json';
  } else if (init.raw !== undefined) {
    body = init.raw;
  }
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
