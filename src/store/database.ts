/**
 * The database handle: one Kysely instance over SQLite or PostgreSQL, chosen by URL.
 */
import { Kysely } from 'kysely';
import { createDialect, type DialectName, type PoolStats, type ReadNow } from './dialect.ts';
import { driverOf, type Driver } from './driver.ts';
import { pgNotifyChannel, type ChannelHandlers, type ChannelLog, type NotifyChannel } from './pgNotify.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: DialectName;
  /** What differs between the databases, for code above the store (see driver.ts). */
  driver: Driver;
  poolStats(): PoolStats;
  /** Called after every query with its duration; the metrics plugin sets it. */
  observeQuery: ((seconds: number, failed: boolean) => void) | null;
  /**
   * Messages between the processes sharing the database (PostgreSQL's LISTEN/NOTIFY, see
   * pgNotify.ts); absent on SQLite. The caller closes the channel (`onClose`).
   */
  listen?: (channel: string, handlers: ChannelHandlers, log: ChannelLog) => NotifyChannel;
  /** Run before the database closes (e.g. a notification channel's LISTEN connection). */
  onClose(task: () => Promise<void>): void;
  close(): Promise<void>;
}

/** The `readNow` of each store's root handle (transactions are other handles, and have none). */
const readsNow = new WeakMap<Db, ReadNow>();

/** See `StoreDialect.readNow`; used by `compiledOnce`. */
export function readNowOf(db: Db): ReadNow | undefined {
  return readsNow.get(db);
}

export function openStore(databaseUrl: string, poolSize = 10): Store {
  const dialect = createDialect(databaseUrl, poolSize);
  const closers: (() => Promise<void>)[] = [];
  const db = new Kysely<Database>({
    dialect: dialect.kysely,
    log: (event) => store.observeQuery?.(event.queryDurationMillis / 1000, event.level === 'error'),
  });
  const store: Store = {
    db,
    dialect: dialect.name,
    driver: driverOf(db),
    poolStats: dialect.poolStats,
    observeQuery: null,
    onClose: (task) => closers.push(task),
    close: async () => {
      for (const task of closers.splice(0)) await task();
      await store.db.destroy();
    },
  };
  if (dialect.name === 'postgres') store.listen = (channel, handlers, log) => pgNotifyChannel(databaseUrl, db, channel, handlers, log);
  const readNow = dialect.readNow;
  if (readNow) {
    // Timed like the queries Kysely runs (its `log` above), so query metrics still count these.
    readsNow.set(store.db, (sqlText, parameters) => {
      const started = performance.now();
      const rows = readNow(sqlText, parameters);
      if (rows) store.observeQuery?.((performance.now() - started) / 1000, false);
      return rows;
    });
  }
  return store;
}

/** Runs `fn` in the caller's transaction if there is one, else in a new one. */
export async function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
