/**
 * An engine over a fresh SQLite file, for tests that drive it directly. `waitForJob` waits on
 * the engine's own change signal, never on a sleep.
 */
import { pino } from 'pino';
import { creditsGrant } from '../../src/store/ledger.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import type { JobKind } from '../../src/engine/kind.ts';
import { eventsAfter, itemsAllForJob, type JobRow } from '../../src/engine/index.ts';
import { isFinished } from '../../src/engine/views.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { orgCreate, type Organisation } from '../../src/store/orgs.ts';
import { testStore } from './testServer.ts';

export const silentLog = pino({ level: 'silent' });

export interface TestEngine {
  engine: Engine;
  store: Store;
  dataDir: string;
  databaseUrl: string;
  org(name: string, credits?: number): Promise<Organisation>;
  /** A second engine on the same database file, with its own connection. */
  sibling(options?: Partial<EngineOptions>): Engine;
  close(): Promise<void>;
}

export async function startTestEngine(kinds: JobKind<never>[], options: Partial<EngineOptions> = {}, start = true): Promise<TestEngine> {
  const { store, dataDir, databaseUrl, drop } = await testStore();
  const make = (s: Store, o: Partial<EngineOptions>) => {
    const engine = new Engine({ store: s, log: silentLog, concurrency: 2, orgConcurrency: 2, leaseMs: 2000, ...o });
    for (const kind of kinds) engine.register(kind);
    return engine;
  };
  const engine = make(store, options);
  if (start) engine.start();
  const extra: { engine: Engine; store: Store }[] = [];
  return {
    engine,
    store,
    dataDir,
    databaseUrl,
    async org(name, credits = 1000) {
      const org = await orgCreate(store.db, name);
      if (credits > 0) await creditsGrant(store.db, org.id, credits);
      return org;
    },
    sibling(o = {}) {
      const s = openStore(databaseUrl, 5);
      const e = make(s, { ...options, ...o });
      extra.push({ engine: e, store: s });
      return e;
    },
    async close() {
      for (const x of extra) {
        await x.engine.stop(500);
        await x.store.close();
      }
      await engine.stop(500);
      await store.close();
      await drop();
    },
  };
}

export async function jobRow(store: Store, id: string): Promise<JobRow> {
  return store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Resolves once the job satisfies `until` (default: finished); fails after `timeoutMs`. */
export function waitForJob(engine: Engine, store: Store, id: string, until: (job: JobRow) => boolean = isFinished, timeoutMs = 20_000): Promise<JobRow> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () =>
      jobRow(store, id).then((job) => {
        if (!done && until(job)) {
          done = true;
          clearTimeout(timer);
          clearInterval(fallback);
          unsubscribe();
          resolve(job);
        }
      }, reject);
    const unsubscribe = engine.signals.onJobChanged(id, () => void check());
    // Changes made by another engine do not signal this one; look now and then as well.
    const fallback = setInterval(() => void check(), 250);
    const timer = setTimeout(() => {
      done = true;
      clearInterval(fallback);
      unsubscribe();
      void jobRow(store, id).then((job) => reject(new Error(`job ${id} did not get there in time; it is ${job.status}`)));
    }, timeoutMs);
    void check();
  });
}

/** A job's events as the engine reads them for its routes (how they are stored is the engine's). */
export async function eventsOf(store: Store, id: string): Promise<{ seq: number; type: string; data: Record<string, unknown> }[]> {
  const rows = await eventsAfter(store.db, id, 0);
  return rows.map((r) => ({ seq: r.seq, type: r.type, data: JSON.parse(r.data) as Record<string, unknown> }));
}

/** A job's items as the engine reads them for its routes. */
export async function itemsOf(store: Store, id: string) {
  return itemsAllForJob(store.db, id);
}
