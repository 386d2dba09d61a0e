/**
 * A maintenance task: a named, periodic chore (deleting what has expired) that the runner
 * (runner.ts) gives to exactly one process of the cluster per period. A round may be cut short
 * by a crash; the next period's round picks up what is left, so a task is written to be
 * repeated: each round does whatever is due at its `now`.
 */
export interface MaintenanceTask {
  /** Stable and unique across the cluster: the key of its lease row and the log's `task`. */
  name: string;
  /** How often it runs across the whole cluster (not per process). */
  everyMs: number;
  /** One round at `now`; returns what it did (e.g. rows deleted), for the log. */
  run(now: Date): Promise<unknown>;
}

export const HOUR_MS = 3_600_000;
