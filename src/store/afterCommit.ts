/**
 * Work to do once a transaction has committed: the database driver runs it right after the
 * COMMIT succeeds and drops it when the transaction rolls back.
 *
 * Guarantees: a callback registered in a transaction runs once, after that transaction has
 * committed and before the code that opened it goes on; never for a transaction rolled back
 * (or whose COMMIT failed). Outside a transaction it runs at once. Callbacks must be quick
 * and must not throw: the transaction has committed, and a failure cannot undo that.
 */
import type { DatabaseConnection, Driver, TransactionSettings } from 'kysely';
import type { Db } from './database.ts';

/** Callbacks waiting for the commit of the transaction open on each connection. */
const pending = new WeakMap<DatabaseConnection, (() => void)[]>();

/** Runs `callback` once the transaction `db` has committed (at once when `db` is no transaction). */
export async function afterCommit(db: Db, callback: () => void): Promise<void> {
  if (!db.isTransaction) return callback();
  // The transaction's own connection: the driver sees connections, not transactions.
  await db.getExecutor().provideConnection(async (connection) => {
    const callbacks = pending.get(connection);
    if (callbacks) callbacks.push(callback);
    else pending.set(connection, [callback]);
  });
}

/** `driver`, running each transaction's `afterCommit` callbacks after its COMMIT. */
export function withAfterCommit(driver: Driver): Driver {
  return {
    init: () => driver.init(),
    acquireConnection: () => driver.acquireConnection(),
    releaseConnection: (connection) => driver.releaseConnection(connection),
    destroy: () => driver.destroy(),
    beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
      // Whatever an earlier transaction on this connection left (none should) is not this one's.
      pending.delete(connection);
      return driver.beginTransaction(connection, settings);
    },
    async commitTransaction(connection) {
      await driver.commitTransaction(connection);
      const callbacks = pending.get(connection) ?? [];
      pending.delete(connection);
      for (const callback of callbacks) {
        try {
          callback();
        } catch {
          // Committed all the same: a throw here would make the caller roll back a done transaction.
        }
      }
    },
    async rollbackTransaction(connection) {
      pending.delete(connection);
      await driver.rollbackTransaction(connection);
    },
    savepoint: driver.savepoint && ((connection, name, compile) => driver.savepoint!(connection, name, compile)),
    rollbackToSavepoint: driver.rollbackToSavepoint && ((connection, name, compile) => driver.rollbackToSavepoint!(connection, name, compile)),
    releaseSavepoint: driver.releaseSavepoint && ((connection, name, compile) => driver.releaseSavepoint!(connection, name, compile)),
  };
}
