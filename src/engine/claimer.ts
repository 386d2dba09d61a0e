/**
 * The claimer: one loop per process that claims work for every free place at once, then sleeps
 * until a place frees, work is signalled, or the next job becomes claimable.
 *
 * Guarantees: an idle claimer sleeps until a signal (submission, freed place) or the next time
 * a job becomes claimable (a delayed job, a retry, an expiring lease, a throttle's next slot), at
 * most `idleMaxMs`: no polling loop. A signal that comes while a claim runs is never slept through. When the last
 * claim took every claimable job (`drained`), nothing but a signal or that next time makes it
 * claim again, so a steady trickle costs no empty claims. A database that does not answer
 * pauses the claimer (1 s doubling to 30 s), never ends it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { retryOnConnectionLoss } from '../store/connectionLoss.ts';
import type { Db } from '../store/database.ts';
import type { EngineSignals } from './signals.ts';
import { jobsClaim, type Claim, type ClaimedJob, type ClaimOptions } from './sql/jobsClaim.ts';
import { jobsNextAvailableIn } from './sql/jobsMaintenance.ts';

export interface ClaimerOptions {
  db: Db;
  log: FastifyBaseLogger;
  signals: EngineSignals;
  /** Longest the idle claimer sleeps without a signal (catches work from other processes). */
  idleMaxMs: number;
  /** How many more jobs the process may claim now. */
  room(): number;
  stopping(): boolean;
  /** What a claim of `limit` jobs asks (owner, lease, limits). */
  claimOptions(limit: number): ClaimOptions;
  /** Takes the claimed jobs into the process. */
  enqueue(jobs: ClaimedJob[]): void;
}

export class Claimer {
  private wakeUp: (() => void) | null = null;
  private workSignalled = false;
  /** Work signals seen so far: a claim's `drained` holds only if none came while it ran. */
  private workSignals = 0;
  /**
   * The last claim took every job claimable then (see `Claim.drained`) and no work has been
   * signalled since: a place freed by a job's end is no reason to claim again, so at a steady
   * trickle a finished job costs no empty claims. Until `nextLookAt` (a job due then).
   */
  private isDrained = false;
  private nextLookAt = 0;
  private claimFailures = 0;
  private claimRounds = 0;

  constructor(private readonly opts: ClaimerOptions) {}

  /** Claim transactions of the claimer that committed (see `Engine.activity`). */
  get rounds(): number {
    return this.claimRounds;
  }

  /** See `isDrained`. */
  get drained(): boolean {
    return this.isDrained;
  }

  /** Work came that the last claim did not see (a job submitted inside a checkpoint). */
  undrain(): void {
    this.isDrained = false;
  }

  /** Drained, and no job has come due since the last claim looked: the claimer would take a new job next. */
  idleUntilSignalled(): boolean {
    return this.isDrained && Date.now() < this.nextLookAt;
  }

  /** The claimer sleeps: it has acted on every signal and job end so far. */
  get asleep(): boolean {
    return this.wakeUp !== null;
  }

  /** Wakes a sleeping claimer to look again (a place freed, or the engine stops). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Runs a claim made elsewhere (in a checkpoint's transaction), noting whether it drained the queue. */
  async claimedBy(claim: () => Promise<Claim>): Promise<Claim> {
    const signalsBefore = this.workSignals;
    const claimed = await claim();
    this.isDrained = claimed.drained && this.workSignals === signalsBefore;
    // A throttle holds jobs back until its next slot: look again by then, whatever was planned.
    if (claimed.nextSlotIn !== null) this.lookAgainBy(Date.now() + claimed.nextSlotIn);
    return claimed;
  }

  /** Brings the next look forward to `at`, waking a claimer that would sleep past it. */
  private lookAgainBy(at: number): void {
    if (at >= this.nextLookAt) return;
    this.nextLookAt = at;
    this.wake();
  }

  /** Claims until the engine stops, then awaits `settle` (the held jobs' ends) before it stops listening. */
  async run(settle: () => Promise<void>): Promise<void> {
    const stopListening = this.opts.signals.onWork(() => {
      this.workSignalled = true;
      this.workSignals += 1;
      this.isDrained = false;
      this.wake();
    });
    try {
      while (!this.opts.stopping()) await this.round();
      await settle();
    } finally {
      stopListening();
    }
  }

  /** Claims work for every free place at once, or sleeps until there is a reason to. */
  private async round(): Promise<void> {
    const room = this.opts.room();
    if (room <= 0) return this.nap();
    if (this.isDrained && Date.now() < this.nextLookAt) return this.nap(this.nextLookAt - Date.now());
    // A signal from here on means "look again": one that fires while this claim runs, for a
    // job it did not see, must not be slept through (found by the agents' serial-queue test).
    this.workSignalled = false;
    let claimed: Claim;
    try {
      // A cut connection (the server still up) is tried again at once on a fresh one.
      claimed = await this.claimedBy(() => retryOnConnectionLoss(() => jobsClaim(this.opts.db, this.opts.claimOptions(room)), { attempts: 3 }));
    } catch (err) {
      // The database is away (a restart, a network cut): pause and try again, backing off
      // from 1 s to 30 s, rather than spin or exit. Work resumes when it answers.
      this.claimFailures += 1;
      const pause = Math.min(1000 * 2 ** (this.claimFailures - 1), 30_000);
      this.opts.log.error({ err, pauseMs: pause }, 'claiming a job failed; pausing before the next try');
      return this.nap(pause);
    }
    this.claimFailures = 0;
    this.claimRounds += 1;
    this.opts.enqueue(claimed.jobs);
    // A claim gives each organisation only its share: claim again at once if it left jobs
    // for room there is. Otherwise sleep until a signal or the next due job (not another
    // claim transaction that finds nothing: one per job at a steady trickle).
    if (!claimed.more || claimed.jobs.length === 0) {
      const ms = await this.idleMs(claimed);
      this.nextLookAt = Date.now() + ms;
      if (!this.workSignalled && !this.opts.stopping()) await this.nap(ms);
    }
  }

  /** Sleeps until `ms` pass, a place frees, work is signalled or the engine stops. */
  private nap(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.wakeUp === wake) this.wakeUp = null;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, ms);
      this.wakeUp = wake;
    });
  }

  /**
   * How long an idle claimer may sleep: until the next job becomes claimable, at most `idleMaxMs`.
   * When the claim left jobs only to throttles, those due now wait for its next slot, not for
   * a look a second later.
   */
  private async idleMs(claimed: Claim): Promise<number> {
    const idleMax = this.opts.idleMaxMs;
    const slot = claimed.nextSlotIn ?? Infinity;
    try {
      const next = await jobsNextAvailableIn(this.opts.db, claimed.drained && claimed.nextSlotIn !== null);
      // A job claimable now that we could not claim waits on its organisation's limit: a
      // finishing job signals us; the fallback covers a finish in another process.
      return Math.min(slot, next === null ? idleMax : Math.min(idleMax, Math.max(next, 0) || 1000));
    } catch (err) {
      this.opts.log.error({ err }, 'reading the queue failed');
      return 1000;
    }
  }
}
