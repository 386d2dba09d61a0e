/**
 * The engine: kinds, submission, cancellation, and the workers that claim and run jobs.
 *
 * Guarantees (each backed by the SQL module named):
 * - a job is held by one worker at a time under a lease renewed by heartbeat, one statement for
 *   every job the process holds (`jobsClaim`, `LeaseKeeper`, `jobLease`); a worker that dies
 *   loses it when the lease expires, and whoever claims the job next continues with its
 *   unfinished items (`itemStartNext`);
 * - an item's result, charge, event and the job's end commit together (`itemCheckpoint`);
 *   the checkpoints of all held jobs may share one transaction (`GroupCommit`), each whole
 *   (on PostgreSQL two such transactions run at once, over different jobs);
 * - one claimer per process claims for every free place at once (`jobsClaim`): one transaction,
 *   not one per job; the transaction that ends jobs also claims their replacements
 *   (`checkpointAndRefill`). A process holds up to `concurrency + prefetch` jobs, each worked on
 *   by its own task; `concurrency` items are processed at once (`Slots`). An item takes a slot
 *   only while it is processed, not while its checkpoint commits, so with `prefetch` a group of
 *   checkpoints and a claim cover many jobs, not one per slot;
 * - a job's last checkpoint commits while its place is already refilled (its lease is held
 *   until then, so a crash before the commit means the item runs again, as for any item);
 * - a job takes one item at a time and is given back when another organisation is waiting and
 *   the process has no room to claim its job, so a big job delays others by at most one item
 *   per slot;
 * - an idle claimer sleeps until a signal (submission, freed slot) or the next time a job
 *   becomes claimable (a delayed job, a retry, an expiring lease): no polling loop. When the
 *   last claim took every claimable job (`drained`), a job's end claims nothing and signals
 *   nothing (unless it frees a serial queue or its hooks submitted jobs), so a steady trickle
 *   costs no empty claims.
 * - a lost database connection (terminated, reset: `isConnectionLoss`) under a checkpoint or an
 *   item's start is retried on a fresh connection while the job is held (`whileConnectionLost`),
 *   and a job that still cannot go on is given back at once, not left to its lease;
 * Not guaranteed: a processor's side effects happen at least once; only its recorded result is
 * exactly once.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { nowIso } from '../ids.ts';
import { isConnectionLoss, retryOnConnectionLoss } from '../store/connectionLoss.ts';
import type { Db, Store } from '../store/database.ts';
import { GroupCommit } from '../store/groupCommit.ts';
import { KindFault } from './errors.ts';
import { JobStop } from './jobStop.ts';
import { LeaseKeeper } from './leaseKeeper.ts';
import type { JobKind } from './kind.ts';
import { processItem } from './processItem.ts';
import { EngineSignals } from './signals.ts';
import { Slots } from './slots.ts';
import { DeferredWrites } from './sql/deferredWrites.ts';
import { itemCheckpoints, type CheckpointArgs, type CheckpointResult, type ItemOutcome } from './sql/itemCheckpoint.ts';
import { itemStartNext, type StartedItem } from './sql/itemStartNext.ts';
import { jobCancel, type CancelResult } from './sql/jobCancel.ts';
import { jobsClaim, jobsClaimIn, type ClaimedJob, type ClaimOptions, type HeldJob, type JobRow } from './sql/jobsClaim.ts';
import { jobFinalize, type JobFinishedHook } from './sql/jobFinalize.ts';
import { jobHoldIfOwner, jobLeaseReleaseIfOwner, jobReleaseWithItemsIfOwner, jobsReleaseAllOf } from './sql/jobLease.ts';
import { jobsNextAvailableAt, orgsWaiting } from './sql/jobsMaintenance.ts';
import { jobProgressSetIfOwner } from './sql/jobProgress.ts';
import { jobSubmit, jobSubmitAndStart, jobsSubmittedIn, type SubmitRequest } from './submit.ts';

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
}

/** A checkpoint, and whether its job may be given back after it (a job that goes on). */
type SlotTask = CheckpointArgs & { mayGiveBack: boolean };

/**
 * A checkpoint's result, with the jobs its transaction claimed (on the group's first result),
 * and `giveBack` when its job is to be handed back: another organisation's job waits and this
 * process has no room to claim it.
 */
type SlotCheckpoint = CheckpointResult & { claimed?: ClaimedJob[]; giveBack?: boolean };

/** Checkpoints per transaction at most when a process holds fewer jobs than this. */
const DEFAULT_GROUP_MAX = 64;

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

class ShutdownSignal extends Error {
  override name = 'ShutdownSignal';
}

export class Engine {
  readonly signals = new EngineSignals();
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private readonly kinds = new Map<string, JobKind>();
  private readonly finishedHooks: JobFinishedHook[] = [];
  /** The jobs this process holds, by ID, each with its stop: from the claim to its task's end. */
  private readonly running = new Map<string, JobStop>();
  private readonly leases: LeaseKeeper;
  /** The jobs this process holds, each worked on by its own task: from the claim to its end. */
  private readonly held = new Set<Promise<void>>();
  /** Last checkpoints of jobs whose tasks have ended; each job's lease is held until it commits. */
  private readonly finishing = new Set<Promise<void>>();
  /** Items processed at once: `concurrency`. */
  private readonly slots: Slots;
  private readonly checkpoints: GroupCommit<SlotTask, SlotCheckpoint>;
  private loop: Promise<void> | null = null;
  private wakeClaimer: (() => void) | null = null;
  private stopping = false;
  private workSignalled = false;
  /** Work signals seen so far: a claim's `drained` holds only if none came while it ran. */
  private workSignals = 0;
  /**
   * The last claim took every job claimable then (see `Claim.drained`) and no work has been
   * signalled since: a place freed by a job's end is no reason to claim again, so at a steady
   * trickle a finished job costs no empty claims. Until `nextLookAt` (a job due then).
   */
  private drained = false;
  private nextLookAt = 0;
  private claimFailures = 0;
  /**
   * Places set aside for jobs not held yet: those started by their submission (see
   * `submitAndStart`) and those claimed by a group of checkpoints whose transaction is still
   * open (PostgreSQL runs two such groups at once; see `checkpointAndRefill`).
   */
  private roomSetAside = 0;
  private readonly startingAtSubmit = new Set<Promise<unknown>>();
  /** Claim transactions of the claimer that committed (see `activity`). */
  private claimRounds = 0;
  /** Held jobs whose next item waits for a slot (see `activity`). */
  private waitingForSlot = 0;

  constructor(private readonly opts: EngineOptions) {
    for (const [name, value] of Object.entries({ orgConcurrency: opts.orgConcurrency, leaseMs: opts.leaseMs })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`engine option ${name} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(opts.prefetch ?? 0) || (opts.prefetch ?? 0) < 0) throw new Error(`engine option prefetch must be a whole number, got ${opts.prefetch}`);
    this.slots = new Slots(opts.concurrency);
    this.leases = new LeaseKeeper(opts.store.db, this.owner, opts.leaseMs, () => this.running.entries(), opts.log);
    // A group can hold a checkpoint of every job this process holds (one each): with prefetch,
    // bigger groups share a commit and a claim among more jobs (a burn-down of 20,000 no-op jobs
    // on SQLite: 4,300 jobs/s in groups of 64, 6,500 in groups of 512, `npm run bench -- engine`).
    // The price is a longer transaction, during which SQLite's one connection serves nothing else.
    const groupMax = Math.max(DEFAULT_GROUP_MAX, opts.concurrency + (opts.prefetch ?? 0));
    // PostgreSQL runs two groups side by side, a connection each: while one group's statements
    // run in the server, the next group's run too (a burn-down on 2 cores: 9,300 → 11,100
    // jobs/s, `npm run bench -- engine`; three did no better). SQLite has one connection.
    const parallel = opts.store.dialect === 'postgres' ? 2 : 1;
    this.checkpoints = new GroupCommit(opts.store.db, (trx, group, whenSettled) => this.checkpointAndRefill(trx, group, whenSettled), groupMax, parallel);
  }

  /**
   * Records a group of checkpoints and, when they end jobs, claims replacements in the same
   * transaction (up to `room`), so slots go from one job to the next without a claim
   * transaction of their own (one commit, not two, per group: `npm run bench -- engine`).
   */
  private async checkpointAndRefill(trx: Db, group: SlotTask[], whenSettled: (undo: () => void) => void): Promise<SlotCheckpoint[]> {
    // Asked once per group, not per item: whether another organisation waits.
    const askers = this.room() <= 0 ? group.filter((task) => task.mayGiveBack) : [];
    const waiting = askers.length > 0 ? await orgsWaiting(trx, nowIso()) : [];
    const givenBack = new Set(askers.filter((task) => waiting.some((org) => org !== task.job.org_id)));
    for (const task of givenBack) task.startNext = false;
    // The group's events and the claim's, written together at the end.
    const events = new DeferredWrites();
    const results: SlotCheckpoint[] = await itemCheckpoints(trx, group, { owner: this.owner, hooks: this.finishedHooks }, events);
    group.forEach((task, i) => givenBack.has(task) && (results[i]!.giveBack = true));
    // A job's end that submitted jobs (its hooks: webhook deliveries) has work to claim.
    if (jobsSubmittedIn(trx)) this.drained = false;
    const freed = results.filter((r) => !r.leaseLost && r.finished).length;
    // The jobs this group ends are still counted as held until it commits.
    const room = this.room() + freed;
    if (freed > 0 && room > 0 && !this.stopping && !this.drained) {
      const signalsBefore = this.workSignals;
      const claim = await jobsClaimIn(trx, { ...this.claimOptions(room), waitForTurn: false }, events);
      this.drained = claim.drained && this.workSignals === signalsBefore;
      results[0]!.claimed = claim.jobs;
      // Counted in `room` until this transaction settles, when they are held (committed) or
      // not claimed after all (rolled back): another group claiming meanwhile sees them.
      this.roomSetAside += claim.jobs.length;
      whenSettled(() => (this.roomSetAside -= claim.jobs.length));
    }
    await events.writeEvents(trx);
    return results;
  }

  private claimOptions(limit: number): ClaimOptions {
    return {
      owner: this.owner,
      now: new Date(),
      leaseMs: this.opts.leaseMs,
      limit,
      orgConcurrency: this.opts.orgConcurrency,
      dialect: this.opts.store.dialect,
      uncountedKinds: this.internalKinds(),
    };
  }

  register(kind: JobKind<never>): void {
    if (this.kinds.has(kind.name)) throw new Error(`job kind "${kind.name}" is registered twice`);
    this.kinds.set(kind.name, kind as JobKind);
  }

  /** Kinds that are the server's own bookkeeping, left out of job lists. */
  internalKinds(): string[] {
    return [...this.kinds.values()].filter((k) => k.internal).map((k) => k.name);
  }

  /** Every registered kind, in registration order. */
  registeredKinds(): JobKind[] {
    return [...this.kinds.values()];
  }

  kind<Input = never>(name: string): JobKind<Input> | undefined {
    return this.kinds.get(name) as JobKind<Input> | undefined;
  }

  /** Runs inside the transaction that finishes any job (for webhook outbox rows). */
  onJobFinished(hook: JobFinishedHook): void {
    this.finishedHooks.push(hook);
  }

  async submit<Input>(request: SubmitRequest<Input>): Promise<JobRow> {
    if (this.kinds.get(request.kind.name) !== request.kind) throw new Error(`job kind "${request.kind.name}" is not registered`);
    if (this.mayStartAtSubmit()) return this.submitAndStart(request);
    const job = await jobSubmit(this.opts.store.db, request);
    this.signals.jobChanged(job.id);
    this.signals.workAvailable();
    return job;
  }

  /**
   * Whether a submission may start its job in its own transaction (see `submitAndStart`): this
   * process runs workers and has room, and its last claim took every claimable job, with no
   * work signalled and no job come due since, so the claimer would take this job next and no
   * other job waits for its turn.
   */
  private mayStartAtSubmit(): boolean {
    return this.loop !== null && !this.stopping && this.drained && Date.now() < this.nextLookAt && this.room() > 0;
  }

  /**
   * Submits and starts the job in one transaction (`jobSubmitAndStart`; the organisation's
   * limit is counted there under its row's lock, as a claim counts it): an idle engine runs a
   * new job at the submission's commit, with no wake-up and no claim transaction in between
   * (those were half of a job's enqueue-to-start time at a steady trickle: `npm run bench --
   * engine --shapes=steady`). A place is set aside for it until it is held, so the claimer
   * cannot fill that place meanwhile. A job not started (its organisation at its limit, a
   * serial queue, a later run time) is signalled as usual.
   */
  private async submitAndStart<Input>(request: SubmitRequest<Input>): Promise<JobRow> {
    this.roomSetAside += 1;
    const committed = jobSubmitAndStart(this.opts.store.db, request, {
      owner: this.owner,
      leaseMs: this.opts.leaseMs,
      orgConcurrency: this.opts.orgConcurrency,
      uncountedKinds: this.internalKinds(),
    });
    // `stop` gives back what this process holds once these have committed.
    this.startingAtSubmit.add(committed);
    try {
      const { job, started } = await committed;
      if (started) {
        this.enqueue([started]); // signals the job's change
      } else {
        this.signals.jobChanged(job.id);
        this.signals.workAvailable();
      }
      return job;
    } finally {
      this.roomSetAside -= 1;
      this.startingAtSubmit.delete(committed);
      // A claimer that found no room while this place was set aside looks again.
      this.wakeClaimer?.();
    }
  }

  /**
   * Submits inside the caller's transaction (a job that must commit with other rows); call
   * `signalSubmitted` once that transaction has committed, so workers look at once.
   */
  async submitIn<Input>(trx: Db, request: SubmitRequest<Input>): Promise<JobRow> {
    if (this.kinds.get(request.kind.name) !== request.kind) throw new Error(`job kind "${request.kind.name}" is not registered`);
    return jobSubmit(trx, request);
  }

  signalSubmitted(jobId: string): void {
    this.signals.jobChanged(jobId);
    this.signals.workAvailable();
  }

  /** Undefined when the organisation has no such job. */
  async cancel(orgId: string, jobId: string): Promise<CancelResult> {
    const result = await jobCancel(this.opts.store.db, orgId, jobId, nowIso(), this.finishedHooks);
    if (result?.canceled) {
      // A worker of this process stops now (or, waiting for a slot, never starts); one
      // elsewhere at its next heartbeat.
      this.running.get(jobId)?.stop(new Error('job canceled'));
      this.signals.jobChanged(jobId);
      this.signals.workAvailable();
    }
    return result;
  }

  start(): void {
    if (this.loop || this.opts.concurrency < 1) return;
    this.stopping = false;
    this.slots.open();
    this.leases.start();
    this.loop = this.claimLoop();
  }

  /**
   * Graceful stop: no new claims; current items get `graceMs` to finish, then are aborted;
   * every lease this engine holds is released so another worker can take over at once.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.slots.close();
    this.signals.workAvailable();
    this.wakeClaimer?.();
    const all = this.loop ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const jobStop of this.running.values()) jobStop.stop(new ShutdownSignal('shutting down'));
      await all;
    }
    this.loop = null;
    await Promise.allSettled(this.startingAtSubmit);
    await this.leases.stop();
    await jobsReleaseAllOf(this.opts.store.db, this.owner, nowIso());
  }

  /**
   * What the engine is doing now, so a test can wait until the engine has looked instead of
   * sleeping a while and hoping it did: the claimer sleeps only after it has acted on every
   * signal and job end so far, and an item waiting for a slot has got as far as it may.
   */
  activity(): EngineActivity {
    return {
      claimRounds: this.claimRounds,
      claimerAsleep: this.wakeClaimer !== null,
      held: this.held.size + this.finishing.size + this.startingAtSubmit.size,
      waitingForSlot: this.waitingForSlot,
    };
  }

  /**
   * How many more jobs this process may claim: slots plus `prefetch`, less the jobs it holds
   * (running, waiting for a slot, or committing their end). A claim inside a checkpoint may
   * overlap the claimer's on PostgreSQL and take a few more; `orgConcurrency` is kept by the
   * database.
   */
  private room(): number {
    return this.opts.concurrency + (this.opts.prefetch ?? 0) - this.held.size - this.finishing.size - this.roomSetAside;
  }

  /** Starts a task for each claimed job; its items wait for slots. */
  private enqueue(claimed: ClaimedJob[]): void {
    for (const { job, item } of claimed) {
      this.signals.jobChanged(job.id);
      const task: Promise<void> = this.runJob(job, item).finally(() => {
        this.held.delete(task);
        this.wakeClaimer?.();
      });
      this.held.add(task);
    }
  }

  /** Claims work for every free slot at once, then waits for a slot to free or for work to come. */
  private async claimLoop(): Promise<void> {
    const stopListening = this.signals.onWork(() => {
      this.workSignalled = true;
      this.workSignals += 1;
      this.drained = false;
      this.wakeClaimer?.();
    });
    try {
      while (!this.stopping) {
        const room = this.room();
        if (room <= 0) {
          await this.nap();
          continue;
        }
        if (this.drained && Date.now() < this.nextLookAt) {
          await this.nap(this.nextLookAt - Date.now());
          continue;
        }
        // A signal from here on means "look again": one that fires while this claim runs, for a
        // job it did not see, must not be slept through (found by the agents' serial-queue test).
        this.workSignalled = false;
        const signalsBefore = this.workSignals;
        let claimed;
        try {
          // A cut connection (the server still up) is tried again at once on a fresh one.
          claimed = await retryOnConnectionLoss(() => jobsClaim(this.opts.store.db, this.claimOptions(room)), { attempts: 3 });
        } catch (err) {
          // The database is away (a restart, a network cut): pause and try again, backing off
          // from 1 s to 30 s, rather than spin or exit. Work resumes when it answers.
          this.claimFailures += 1;
          const pause = Math.min(1000 * 2 ** (this.claimFailures - 1), 30_000);
          this.opts.log.error({ err, pauseMs: pause }, 'claiming a job failed; pausing before the next try');
          await this.nap(pause);
          continue;
        }
        this.claimFailures = 0;
        this.claimRounds += 1;
        this.drained = claimed.drained && this.workSignals === signalsBefore;
        this.enqueue(claimed.jobs);
        // A claim gives each organisation only its share: claim again at once if it left jobs
        // for room there is. Otherwise sleep until a signal or the next due job (not another
        // claim transaction that finds nothing: one per job at a steady trickle).
        if (!claimed.more || claimed.jobs.length === 0) {
          const ms = await this.idleMs();
          this.nextLookAt = Date.now() + ms;
          if (!this.workSignalled && !this.stopping) await this.nap(ms);
        }
      }
      await Promise.all(this.held);
      await Promise.all(this.finishing);
    } finally {
      stopListening();
    }
  }

  /** Sleeps until `ms` pass, a slot frees, work is signalled or the engine stops. */
  private nap(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.wakeClaimer === wake) this.wakeClaimer = null;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, ms);
      this.wakeClaimer = wake;
    });
  }

  /** How long an idle claimer may sleep: until the next job becomes claimable, at most `idleMaxMs`. */
  private async idleMs(): Promise<number> {
    const idleMax = this.opts.idleMaxMs ?? 30_000;
    try {
      const next = await jobsNextAvailableAt(this.opts.store.db);
      // A job claimable now that we could not claim waits on its organisation's limit: a
      // finishing job signals us; the fallback covers a finish in another process.
      return next ? Math.min(idleMax, Math.max(Date.parse(next) - Date.now(), 0) || 1000) : idleMax;
    } catch (err) {
      this.opts.log.error({ err }, 'reading the queue failed');
      return 1000;
    }
  }

  /** What a checkpoint's commit means to the engine, whether the slot waited for it or not. */
  private checkpointed(job: HeldJob, result: SlotCheckpoint): void {
    if (result.claimed) this.enqueue(result.claimed);
    this.signals.jobChanged(job.id);
    // A job's end frees a place for its organisation and, in a serial queue, the queue's next
    // job: claimers look again, unless every claimable job was taken (see `drained`).
    if (!result.leaseLost && result.finished && (!this.drained || job.queue !== null)) this.signals.workAvailable();
  }

  /**
   * Works through a job's items, starting with `first` when the claim started one. Returns
   * without waiting for the commit of the job's last item (see `finishing`).
   */
  private async runJob(job: HeldJob, first: StartedItem | null): Promise<void> {
    const { db } = this.opts.store;
    const jobStop = new JobStop();
    // Held from here to the end of this task: `leases` renews it (and stops it when it is lost).
    this.running.set(job.id, jobStop);
    let started = first;
    // Items this job has left to finish, this one included: the checkpoint of the last needs no
    // answer before the job's place is refilled. Only this job's lease holder changes the counts.
    let open = job.items_total - job.items_succeeded - job.items_failed;
    try {
      const kind = this.kinds.get(job.kind);
      if (!kind) throw new KindFault(new Error(`no job kind "${job.kind}" is registered in this process`));
      for (;;) {
        if (jobStop.stopped) return;
        // Stopping: `stop` gives back every job this process holds, with any item started.
        if (this.stopping) return;
        const next = started ? { item: started } : await this.whileConnectionLost(job, jobStop, () => itemStartNext(db, job.id, this.owner, nowIso()));
        started = null;
        if ('leaseLost' in next) return;
        if ('waitUntil' in next) {
          await jobLeaseReleaseIfOwner(db, job.id, this.owner, next.waitUntil, nowIso());
          this.signals.workAvailable();
          return;
        }
        if ('allDone' in next) {
          // Only reachable if a crash fell between an item's checkpoint and its job's end,
          // which one transaction prevents; kept so such a job can never hang.
          await this.finalizeIfHeld(job, { status: 'completed' });
          return;
        }
        this.waitingForSlot += 1;
        await this.slots.take();
        this.waitingForSlot -= 1;
        let outcome: ItemOutcome;
        try {
          // Canceled, lease lost or stopping while it waited for the slot: the item is not run.
          if (jobStop.stopped || this.stopping) return;
          outcome = await processItem(kind, job, next.item, jobStop, this.opts.log, this.progressReporter(job.id));
        } finally {
          this.slots.give();
        }
        const ended = outcome.type === 'succeeded' || outcome.type === 'failed';
        const last = ended && open === 1;
        const task: SlotTask = {
          job,
          kind,
          seq: next.item.seq,
          key: next.item.key,
          outcome,
          startNext: !this.stopping && outcome.type !== 'abandoned' && !last,
          last,
          // After this item the job may be handed back to another organisation's waiting job.
          mayGiveBack: job.items_total > 1 && !last && outcome.type !== 'abandoned',
        };
        // A checkpoint is safe to run again (it writes only while the item runs under our lease).
        const checkpoint = this.whileConnectionLost(job, last ? null : jobStop, () => this.checkpoints.run(task));
        if (last) {
          this.finishInBackground(job, checkpoint);
          return;
        }
        const result = await checkpoint;
        this.checkpointed(job, result);
        if (result.leaseLost || outcome.type === 'abandoned') return;
        if (ended) open -= 1;
        if (result.finished) return;
        if (result.giveBack) {
          await jobLeaseReleaseIfOwner(db, job.id, this.owner, nowIso(), nowIso());
          this.signals.workAvailable();
          return;
        }
        started = result.next;
      }
    } catch (error) {
      await this.failed(job, error);
    } finally {
      this.running.delete(job.id);
    }
  }

  /**
   * The checkpoint of a job's last item: the job's task ends now, and the commit is tracked in
   * `finishing` (the job's lease is held until it) so `room` counts the job until then.
   */
  private finishInBackground(job: HeldJob, checkpoint: Promise<SlotCheckpoint>): void {
    const finishing: Promise<void> = checkpoint
      .then(async (result) => {
        this.checkpointed(job, result);
        // Not the end after all (never seen; a miscount must not leave the job held until its lease runs out).
        if (!result.leaseLost && !result.finished) {
          this.opts.log.warn({ jobId: job.id }, 'a job thought finished has items open; giving it back');
          await jobLeaseReleaseIfOwner(this.opts.store.db, job.id, this.owner, nowIso(), nowIso());
          this.signals.workAvailable();
        }
      })
      .catch((error: unknown) => this.failed(job, error))
      .finally(() => {
        this.finishing.delete(finishing);
        this.wakeClaimer?.();
      });
    this.finishing.add(finishing);
  }

  /**
   * Runs `work` (one transaction, safe to run again) and, while it fails because the database
   * connection was lost, again on a fresh connection, pausing 50 ms doubling to 1 s: so a cut
   * connection costs a job a moment, not the rest of its lease. Gives up (throws) when the job
   * stops (lease lost, canceled, shutdown) or after `leaseMs`, when the lease would have run out
   * anyway; a run after that finds the lease gone and writes nothing.
   */
  private whileConnectionLost<T>(job: HeldJob, jobStop: JobStop | null, work: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + this.opts.leaseMs;
    return retryOnConnectionLoss(work, {
      attempts: Infinity,
      giveUp: () => Boolean(jobStop?.stopped) || Date.now() >= giveUpAt,
      onRetry: (err) => this.opts.log.warn({ err, jobId: job.id }, 'the database connection was lost while running a job; trying again'),
    });
  }

  /**
   * A job's kind failed outside its items: the job fails. The database connection lost (after
   * the checkpoint's own retries, see `GroupCommit`): the job is given back at once, its item
   * to run again. Anything else, or a give-back that fails too: its lease runs out and it is
   * claimed again (that wait is the backoff of a job whose checkpoint fails for good).
   */
  private async failed(job: HeldJob, error: unknown): Promise<void> {
    if (isConnectionLoss(error)) {
      try {
        await retryOnConnectionLoss(() => jobReleaseWithItemsIfOwner(this.opts.store.db, job.id, this.owner, nowIso()));
        this.opts.log.warn({ err: error, jobId: job.id }, 'the database connection was lost while running a job; gave it back');
        this.signals.jobChanged(job.id);
        this.signals.workAvailable();
        return;
      } catch (err) {
        this.opts.log.error({ err, jobId: job.id }, 'could not give back a job after losing the database connection; it will be retried when its lease expires');
        return;
      }
    }
    if (error instanceof KindFault) {
      this.opts.log.error({ err: error.causeError, jobId: job.id }, 'job failed outside its items');
      await this.finalizeIfHeld(job, {
        status: 'failed',
        errorCode: 'INTERNAL_ERROR',
        errorMessage: this.kinds.get(job.kind)?.faultMessage ?? 'An unexpected error occurred while running this job.',
      }).catch((err: unknown) => this.opts.log.error({ err, jobId: job.id }, 'could not record the job failure'));
    } else {
      this.opts.log.error({ err: error, jobId: job.id }, 'running a job failed; it will be retried when its lease expires');
    }
  }

  /** Writes progress at most every half second (and at each 10 % step), never blocking the processor. */
  private progressReporter(jobId: string): (fraction: number) => void {
    let lastAt = 0;
    let lastStep = -1;
    return (raw) => {
      const fraction = Math.min(1, Math.max(0, raw));
      const step = Math.floor(fraction * 10);
      const now = Date.now();
      if (step === lastStep && now - lastAt < 500) return;
      const stepEvent = step > lastStep;
      lastAt = now;
      lastStep = Math.max(lastStep, step);
      jobProgressSetIfOwner(this.opts.store.db, jobId, this.owner, Math.round(fraction * 1000) / 1000, stepEvent, new Date(now).toISOString())
        .then(() => this.signals.jobChanged(jobId))
        .catch((err: unknown) => this.opts.log.warn({ err, jobId }, 'could not record progress'));
    };
  }

  private async finalizeIfHeld(job: HeldJob, final: Parameters<typeof jobFinalize>[2]): Promise<void> {
    const now = nowIso();
    await this.opts.store.db.transaction().execute(async (trx) => {
      if (await jobHoldIfOwner(trx, job.id, this.owner, now)) await jobFinalize(trx, job.id, final, now, this.finishedHooks);
    });
    this.signals.jobChanged(job.id);
    this.signals.workAvailable();
  }
}
