/**
 * Reads outside a transaction on the SQLite connection share one read transaction, opened by the
 * first of them and ended when the event loop's turn ends or the connection is next asked for
 * anything but a read (a write, BEGIN, COMMIT), whichever comes first.
 *
 * Why: each read on its own is a transaction of its own, and beginning one costs two `fcntl`
 * lock calls on the database file, most of a primary-key lookup's time (better-sqlite3 alone:
 * a lookup costs a third as much inside a transaction). A status GET makes two reads (its key,
 * its job), and under load many requests are read in one turn.
 *
 * What it keeps: this process sees its own writes at once, since a write ends the snapshot
 * before it runs; another process's commit is seen from the next turn on, as if it had landed a
 * moment later; the snapshot never outlives a turn, so it holds back a WAL checkpoint only for
 * that long. Only `select`/`with` statements that SQLite says are read-only join it, so a pragma
 * or a write (`insert … returning` is a "reader" too) never runs inside it.
 */
import type BetterSqlite3 from 'better-sqlite3';

const PLAIN_READ = /^\s*(select|with)\b/i;

export interface ReadSnapshot {
  /** Called just before `statement` runs: joins, opens or ends the snapshot as it needs. */
  before(sqlText: string, statement: BetterSqlite3.Statement): void;
  /** Ends the snapshot if one is open (before the connection closes). */
  end(): void;
  /** Whether the connection's open transaction, if any, is the snapshot. */
  isOpen(): boolean;
  /**
   * The rows of `read`, run once per snapshot for each statement and parameters:
   * one read transaction answers the same read the same way until it ends. The rows are kept
   * as `read` returns them, so callers must not change them (`RowReader.objects` builds each
   * caller's own objects from them). Only while the snapshot is open.
   */
  rowsOnce(sqlText: string, parameters: readonly unknown[], read: () => unknown[][]): unknown[][];
}

export function readSnapshot(database: BetterSqlite3.Database): ReadSnapshot {
  let open = false;
  // By statement, then by parameters: the statement's text is the same string every time (its
  // hash is kept), so only the short parameters are hashed afresh.
  const answered = new Map<string, Map<string, unknown[][]>>();
  const end = () => {
    if (!open) return;
    open = false;
    answered.clear();
    if (database.open && database.inTransaction) database.exec('commit');
  };
  return {
    before(sqlText, statement) {
      if (!(statement.readonly && PLAIN_READ.test(sqlText))) return end();
      // Inside a transaction of Kysely's (not ours) the read belongs to that transaction.
      if (open || database.inTransaction) return;
      database.exec('begin');
      open = true;
      setImmediate(end);
    },
    end,
    isOpen: () => open,
    rowsOnce(sqlText, parameters, read) {
      let bySql = answered.get(sqlText);
      if (!bySql) answered.set(sqlText, (bySql = new Map()));
      const key = JSON.stringify(parameters);
      let rows = bySql.get(key);
      if (!rows) {
        rows = read();
        bySql.set(key, rows);
      }
      return rows;
    },
  };
}
