/**
 * What an engine is given (`EngineOptions`) and what it reports of itself (`Engine.activity`,
 * `Engine.stop`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.ts';
import type { ThrottleLimit } from './throttle.ts';

export interface EngineOptions {
  store: Store;
  log: FastifyBaseLogger;
  /** Worker slots in this process; 0 runs no workers (submission and reads still work). */
  concurrency: number;
  /** Jobs of one organisation running at once, across all processes. */
  orgConcurrency: number;
  leaseMs: number;
  /** Longest the idle claimer sleeps without a signal (catches work from other processes). */
  idleMaxMs?: number;
  /**
   * Jobs claimed ahead of free slots (0: claim only for free slots). A claimed job counts as
   * running for `orgConcurrency` whether it has a slot or not, and its heartbeat keeps its
   * lease while it waits. For many short jobs: with long ones, a job would wait here while
   * another process idles.
   */
  prefetch?: number;
  /** Throttles by kind, for every organisation without its own (`LONGRUN_THROTTLES`); they win over the kinds' own. */
  throttles?: Record<string, ThrottleLimit>;
}

/** See `Engine.activity`. */
export interface EngineActivity {
  /** Claims by the claimer so far (not those made inside a checkpoint's transaction). */
  claimRounds: number;
  /** The claimer waits for a signal, a free place or its next look. */
  claimerAsleep: boolean;
  /** Jobs this process holds: running, waiting for a slot, committing their end, or starting at submission. */
  held: number;
  waitingForSlot: number;
}

/** What `Engine.stop` did with the jobs this process held (the shutdown's log line). */
export interface EngineStopSummary {
  /** Jobs held when the stop began. */
  held: number;
  /** Jobs whose last item's checkpoint committed during the stop: they ended here. */
  finished: number;
  /** Jobs given back to the queue unfinished, for another worker to continue at once. */
  handedBack: number;
  /** The grace period ran out, and the items still running were aborted (to run again elsewhere). */
  graceExpired: boolean;
}
