/**
 * What the engine tells an observer (metrics, logs) about the jobs this process runs: a claim, an
 * item's end, a job's end, a lost lease. Registered with `Engine.observe`.
 *
 * Guarantees: each call comes after the fact — after the transaction that made it true has
 * committed, never inside one — so an observer can be slow or throw without touching a job; a
 * throw is caught and logged, never reaches the engine. Every call is about this process's work
 * only (a job ended by another process is that process's to tell), except `jobEnded` of a cancel,
 * told by the process whose `Engine.cancel` ended it. Not guaranteed: a crash between a commit
 * and its call loses the call (counters are per process and reset at start anyway).
 */
import type { FastifyBaseLogger } from 'fastify';

/** The job a call is about. */
export interface ObservedJob {
  id: string;
  kind: string;
  orgId: string;
}

/** How an item's processing ended: `abandoned` when it was stopped (cancel, shutdown, lost lease) and will run again or never. */
export type ObservedItemOutcome = 'succeeded' | 'failed' | 'retry' | 'abandoned';

export interface EngineObserver {
  /**
   * A job this process claimed (or started at its submission). `queueWaitSeconds`: from when it
   * became due (its run time) to this claim, for its first claim; null for a later one (a job
   * given back, or taken over after a lost lease), whose wait is not the queue's.
   */
  jobClaimed?(event: { job: ObservedJob; attempt: number; queueWaitSeconds: number | null }): void;
  /**
   * An item processed here ended and its outcome is recorded (a lost lease makes it `abandoned`).
   * `item`: its key; `seconds`: its processing, not its checkpoint; `attempt`: 1 for its first.
   */
  itemEnded?(event: { job: ObservedJob; item: string; outcome: ObservedItemOutcome; seconds: number; attempt: number; errorCode: string | null }): void;
  /**
   * A job ended (completed, failed, or canceled through `Engine.cancel`). `seconds`: from its first
   * start to its end; null for a job canceled before it started. `creditsCharged`: the job's total.
   */
  jobEnded?(event: { job: ObservedJob; status: 'completed' | 'failed' | 'canceled'; seconds: number | null; creditsCharged: number }): void;
  /** The job's lease was found gone while this process held it: another process may take it over. */
  leaseLost?(event: { job: ObservedJob }): void;
}

type Calls = { [K in keyof EngineObserver]-?: Parameters<NonNullable<EngineObserver[K]>>[0] };

/** The observers of one engine: tells each, catching what one throws. */
export class Observers {
  private readonly list: EngineObserver[] = [];

  constructor(private readonly log: FastifyBaseLogger) {}

  add(observer: EngineObserver): void {
    this.list.push(observer);
  }

  /** Whether anyone listens (a caller skips work done only to tell). */
  get any(): boolean {
    return this.list.length > 0;
  }

  tell<K extends keyof Calls>(call: K, event: Calls[K]): void {
    for (const observer of this.list) {
      try {
        (observer[call] as ((e: Calls[K]) => void) | undefined)?.call(observer, event);
      } catch (err) {
        this.log.warn({ err, call }, 'an engine observer threw; ignored');
      }
    }
  }
}

/** Seconds between two ISO times (`to` defaults to now), never below 0; null without `from`. */
export function secondsBetween(from: string | null, to?: string | null): number | null {
  if (!from) return null;
  const end = to ? Date.parse(to) : Date.now();
  return Math.max(0, (end - Date.parse(from)) / 1000);
}
