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
  /** Transactions open now, each draining the queue group by group. */
  private flushers = 0;

  constructor(
    private readonly db: Db,
    /**
     * Applies tasks in one transaction, one result per task, in order. `whenSettled` registers
     * what to do once that transaction has committed or rolled back (before any task's promise
     * settles): to undo bookkeeping that must not outlive a rolled-back attempt.
     */
    private readonly apply: (trx: Db, tasks: Task[], whenSettled: (undo: () => void) => void) => Promise<Result[]>,
    /** Bounds a transaction's length, so readers waiting for the database are not held long. */
    private readonly maxGroup = 64,
    /**
     * Groups committing at once. More than one only where the database runs them side by side
     * (PostgreSQL: a connection each): while one group's statements run in the server, the
     * next group's run too, instead of waiting for its commit.
     */
    private readonly parallel = 1,
  ) {}

  run(task: Task): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      if (this.flushers < this.parallel) {
        this.flushers += 1;
        // The workers that finish in this turn of the event loop share the first transaction.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.queue.splice(0, this.maxGroup));
    } finally {
      this.flushers -= 1;
    }
  }

  /** One transaction over `tasks`, and what it registered to run once it has settled. */
  private async transaction(tasks: Task[]): Promise<Result[]> {
    const settled: (() => void)[] = [];
    try {
      return await this.db.transaction().execute((trx) => this.apply(trx, tasks, (undo) => settled.push(undo)));
    } finally {
      for (const undo of settled) undo();
    }
  }

  private async commit(group: Pending<Task, Result>[]): Promise<void> {
    if (group.length > 1) {
      try {
        const results = await this.transaction(group.map((pending) => pending.task));
        group.forEach((pending, i) => pending.resolve(results[i]!));
        return;
      } catch {
        // Which task failed is unknown: each runs alone below and gets its own outcome.
      }
    }
    for (const pending of group) {
      for (let attempt = 1; ; attempt++) {
        try {
          const [result] = await this.transaction([pending.task]);
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
