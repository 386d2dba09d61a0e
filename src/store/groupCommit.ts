/**
 * Group commit: writes that arrive while a transaction is open wait for it, then commit
 * together in the next one. Under load many workers' writes share one BEGIN/COMMIT (one fsync
 * on PostgreSQL); alone, a write waits for nothing but the current turn of the event loop.
 *
 * Guarantees: each task's writes commit or roll back as a whole, and a task's promise settles
 * only after its transaction has committed (or failed). A task that throws fails only itself:
 * when a group's transaction fails, its tasks run again one transaction each, so the others
 * commit and the culprit gets its own error; a task alone that loses a deadlock is tried again.
 * A task must therefore touch nothing but the database, since it may run more than once (every
 * run but the last rolled back).
 */
import type { Db } from './database.ts';
import { isTransientConflict } from './dialect.ts';

/** Tries of a task run alone, when PostgreSQL makes it a deadlock's victim. */
const SOLO_ATTEMPTS = 3;

interface Pending<Task, Result> {
  task: Task;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

export class GroupCommit<Task, Result> {
  private queue: Pending<Task, Result>[] = [];
  private flushing = false;

  constructor(
    private readonly db: Db,
    /** Applies tasks in one transaction, one result per task, in order. */
    private readonly apply: (trx: Db, tasks: Task[]) => Promise<Result[]>,
    /** Bounds a transaction's length, so readers waiting for the database are not held long. */
    private readonly maxGroup = 64,
  ) {}

  run(task: Task): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // The workers that finish in this turn of the event loop share the first transaction.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxGroup));
    } finally {
      this.flushing = false;
    }
  }

  private async commit(group: Pending<Task, Result>[]): Promise<void> {
    if (group.length > 1) {
      try {
        const results = await this.db.transaction().execute((trx) => this.apply(trx, group.map((pending) => pending.task)));
        group.forEach((pending, i) => pending.resolve(results[i]!));
        return;
      } catch {
        // Which task failed is unknown: each runs alone below and gets its own outcome.
      }
    }
    for (const pending of group) {
      for (let attempt = 1; ; attempt++) {
        try {
          const [result] = await this.db.transaction().execute((trx) => this.apply(trx, [pending.task]));
          pending.resolve(result!);
          break;
        } catch (error) {
          // A deadlock's victim (PostgreSQL picks one of the transactions in the cycle) is
          // rolled back whole and may simply run again.
          if (attempt < SOLO_ATTEMPTS && isTransientConflict(error)) continue;
          pending.reject(error);
          break;
        }
      }
    }
  }
}
