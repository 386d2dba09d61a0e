/**
 * How each database is reached: how to connect, how transactions begin, how errors and times
 * look, how many rows go in one statement. What differs in the queries themselves is the
 * drivers' (driver.ts). The rest of the code speaks Kysely and never asks which database it is
 * on.
 */
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  sql,
  type RawBuilder,
  type SqlBool,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Kysely,
} from 'kysely';
import pg from 'pg';
import { withAfterCommit } from './afterCommit.ts';
import { readSnapshot } from './sqliteReadSnapshot.ts';
import { rowsOf, type RowReader } from './sqliteRows.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface StoreDialect {
  name: DialectName;
  kysely: Dialect;
  poolStats(): PoolStats;
  /** SQLite only: see `ReadNow`. */
  readNow?: ReadNow;
}

/**
 * Runs a read at once, outside Kysely's queue for the connection, and returns its rows; or
 * returns undefined, without running it, while a transaction holds the connection.
 */
export type ReadNow = (sqlText: string, parameters: readonly unknown[]) => unknown[] | undefined;

/**
 * SQLite transactions start with BEGIN IMMEDIATE: they take the write lock up front, so a
 * transaction that reads and then writes can wait on busy_timeout for another process instead of
 * failing with SQLITE_BUSY when it tries to upgrade its read lock.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * A prepared statement as Kysely's SQLite driver uses it (`reader`, `all`, `run`, `iterate`),
 * its rows built by `rowsOf`.
 */
interface CachedStatement {
  statement: BetterSqlite3.Statement;
  /** A reader's rows (`rowsOf`); a statement that returns none reads as none. */
  rows: RowReader;
  reader: boolean;
  all(parameters: readonly unknown[]): Record<string, unknown>[];
  run(parameters: readonly unknown[]): BetterSqlite3.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

const NO_ROWS: RowReader = { all: () => [], arrays: () => [], objects: () => [] };

function cachedStatement(statement: BetterSqlite3.Statement): CachedStatement {
  const rows = statement.reader ? rowsOf(statement) : NO_ROWS;
  return {
    statement,
    rows,
    reader: statement.reader,
    all: rows.all,
    run: (parameters) => statement.run(parameters),
    // Kysely's streams (unused by this project) get every row read first, then one at a time.
    iterate: (parameters) => rows.all(parameters)[Symbol.iterator](),
  };
}

/** How many prepared statements the SQLite connection keeps; the server runs a few hundred distinct ones. */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * The connection as Kysely sees it, with prepared statements kept by SQL text: Kysely prepares
 * every query afresh, which costs up to a fifth of the engine's CPU (`npm run bench -- engine`,
 * --cpu-prof). Safe because Kysely runs one query at a time on this single connection; a
 * statement that is still being iterated (a stream, unused here) is prepared anew.
 */
function withStatementCache(database: BetterSqlite3.Database) {
  const cache = new Map<string, CachedStatement>();
  const snapshot = readSnapshot(database);
  const cached = (sqlText: string) => {
    let entry = cache.get(sqlText);
    if (entry && !entry.statement.busy) return entry;
    entry = cachedStatement(database.prepare(sqlText));
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(sqlText, entry);
    return entry;
  };
  // Kysely runs the statement it prepares at once, so this is "just before it runs".
  const prepare = (sqlText: string) => {
    const entry = cached(sqlText);
    snapshot.before(sqlText, entry.statement);
    return entry;
  };
  return {
    close: () => {
      snapshot.end();
      database.close();
    },
    prepare,
    // Between two of Kysely's statements the connection is idle unless a transaction is open
    // (better-sqlite3 runs each one synchronously), so a read needs no place in its queue then.
    readNow: ((sqlText, parameters) => {
      if (database.inTransaction && !snapshot.isOpen()) return undefined;
      const statement = prepare(sqlText);
      if (!snapshot.isOpen()) return statement.all(parameters);
      return statement.rows.objects(snapshot.rowsOnce(sqlText, parameters, () => statement.rows.arrays(parameters)));
    }) satisfies ReadNow,
  };
}

function sqliteDialect(file: string): StoreDialect {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // Another process (a CLI command, a second server) may hold the write lock for a moment.
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const connection = withStatementCache(database);
  const config = { database: connection };
  return {
    name: 'sqlite',
    readNow: connection.readNow,
    kysely: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new ImmediateSqliteDriver(config),
      createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
    // One connection, used by one query at a time.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
  };
}

/**
 * How the store's connections read values: the pool's own parsers, not pg's global table, so
 * another user of pg in the same process (an application embedding longrun, a benchmark's
 * peers) keeps pg's defaults.
 * - COUNT(*) and BIGINT: numbers (every such number here fits a JS number), not strings;
 * - times: as the code writes them and SQLite keeps them, ISO 8601 with milliseconds and Z;
 * - JSON: text, as SQLite keeps it; the code parses what it needs, and a `json` column's text is
 *   returned as stored (migration 0017).
 */
const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ);
const STORE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    switch (oid) {
      case pg.types.builtins.INT8:
        return (value: string) => Number(value);
      case pg.types.builtins.TIMESTAMPTZ:
        return (value: string) => (parseTimestamptz(value) as Date).toISOString();
      case pg.types.builtins.JSON:
      case pg.types.builtins.JSONB:
        return (value: string) => value;
      default:
        return pg.types.getTypeParser(oid, format);
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function postgresDialect(url: string, poolSize: number): StoreDialect {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: STORE_TYPES });
  // A client losing its connection must not crash the process: the pool replaces an idle one;
  // one checked out (between the statements of a transaction) has no listener of its own, so
  // every client gets one here — its next query fails instead, and the caller handles that
  // (found by stopping PostgreSQL under load: test/cluster/databaseRestart.test.ts).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return {
    name: 'postgres',
    kysely: new PostgresDialect({ pool }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}

export function createDialect(databaseUrl: string, poolSize: number): StoreDialect {
  const dialect = databaseUrl.startsWith('sqlite:') ? sqliteDialect(databaseUrl.slice('sqlite:'.length)) : postgresDialect(databaseUrl, poolSize);
  return { ...dialect, kysely: runningAfterCommit(dialect.kysely) };
}

/** `dialect` with its driver running `afterCommit` callbacks (see afterCommit.ts). */
function runningAfterCommit(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => withAfterCommit(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

/** True when the error is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

/** True when PostgreSQL chose this transaction as a deadlock's victim (or it failed to serialize): running it again is safe. */
export function isTransientConflict(error: unknown): boolean {
  const e = error as { code?: string };
  return e?.code === '40P01' || e?.code === '40001';
}

/** Which database a Kysely handle talks to (migrations and the store ask; other code asks its driver, driver.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** How a column of `rowsTable` is typed on PostgreSQL (SQLite's JSON values carry their own). */
export type ColumnType = 'text' | 'integer' | 'real' | 'timestamptz' | 'json' | 'jsonb';

/**
 * Rows handed to one statement as a table: on SQLite one JSON parameter read by `json_each`,
 * on PostgreSQL one array parameter per column read by `unnest`. The statement's text is the
 * same whatever the number of rows, so each database parses and plans it once (its prepared
 * statement is reused) and Kysely builds a few nodes, not a few per row: a group's 64-row CASE
 * lists and VALUES take PostgreSQL longer to plan than to run (`npm run bench -- engine`,
 * --sql-stats=1). Column names must not be those of the table the statement updates.
 */
export function rowsTable<Row extends Record<string, string | number | null>>(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  columns: { [Name in keyof Row]: ColumnType },
  rows: readonly Row[],
): RawBuilder<Row> {
  const names = Object.keys(columns) as (keyof Row & string)[];
  if (dialectOf(db) === 'postgres') {
    const arrays = names.map((name) => sql`${rows.map((row) => row[name])}::${sql.raw(columns[name])}[]`);
    return sql<Row>`(select * from unnest(${sql.join(arrays)}) as rows_param(${sql.join(names.map((name) => sql.ref(name)))}))`;
  }
  const json = JSON.stringify(rows.map((row) => names.map((name) => row[name])));
  const picked = names.map((name, i) => sql`value ->> ${sql.raw(String(i))} as ${sql.ref(name)}`);
  return sql<Row>`(select ${sql.join(picked)} from json_each(${json}))`;
}

/**
 * `<column> is one of ids`, the IDs as one parameter (see `rowsTable`): `= any(array)` on
 * PostgreSQL, planned as cheaply as `in ($1)` (an `in (select unnest(…))` is planned as a join,
 * three times slower for the one job of a claim at a steady trickle), `in (json_each)` on SQLite.
 */
export function idsMatch(
  db: Kysely<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  column: string,
  ids: readonly string[],
): RawBuilder<SqlBool> {
  return dialectOf(db) === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = any(${ids}::text[])`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(ids)}))`;
}
