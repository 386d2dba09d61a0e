/**
 * The engine: kinds, submission, cancellation, and the workers that claim and run jobs. It
 * composes the parts, each with its own guarantees: the claimer (claimer.ts), the places for
 * jobs (rooms.ts), a job's run (jobRun.ts), start at submission (startAtSubmit.ts), leases
 * (leaseKeeper.ts), slots (slots.ts) and the registered kinds (kindRegistry.ts).
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
 * - a job takes one item at a time and is given back when another organisation is waiting and
 *   the process has no room to claim its job, so a big job delays others by at most one item
 *   per slot;
 * - a job submitted in a caller's transaction (`submitIn`) wakes workers when that transaction
 *   commits, with no call of the caller's; one rolled back wakes no one.
 * Not guaranteed: a processor's side effects happen at least once; only its recorded result is
 * exactly once.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { nowIso } from '../ids.ts';
import { afterCommit } from '../store/afterCommit.ts';
import type { Db } from '../store/database.ts';
import { GroupCommit } from '../store/groupCommit.ts';
import { Claimer } from './claimer.ts';
import { JobRunner, observedJob, type SlotCheckpoint, type SlotTask } from './jobRun.ts';
import type { JobStop } from './jobStop.ts';
import type { JobKind } from './kind.ts';
import { KindRegistry } from './kindRegistry.ts';
import type { EngineActivity, EngineOptions, EngineStopSummary } from './engineTypes.ts';
import { ThrottleLimits } from './throttle.ts';
import { LeaseKeeper } from './leaseKeeper.ts';
import { Observers, secondsBetween, type EngineObserver } from './observer.ts';
import { Rooms } from './rooms.ts';
import { EngineSignals } from './signals.ts';
import { Slots } from './slots.ts';
import { itemCheckpoints } from './sql/itemCheckpoint.ts';
import { jobCancel, type CancelResult } from './sql/jobCancel.ts';
import { jobsClaimIn, type ClaimedJob, type ClaimOptions, type HeldJob } from './sql/jobsClaim.ts';
import { jobsReleaseAllOf } from './sql/jobLease.ts';
import { orgsWaiting } from './sql/jobsMaintenance.ts';
import { submitAndStart } from './startAtSubmit.ts';
import { jobSubmit, jobsSubmittedIn, type SubmitRequest } from './submit.ts';
import { jobsSubmitMany } from './submitMany.ts';
import type { JobFinishedHook, JobRow } from './types.ts';
import { jobsWaitingReasons, type WaitingReason } from './waitingReason.ts';

/** Checkpoints per transaction at most when a process holds fewer jobs than this. */
const DEFAULT_GROUP_MAX = 64;

class ShutdownSignal extends Error {
  override name = 'ShutdownSignal';
}

export type { EngineActivity, EngineOptions, EngineStopSummary };

export class Engine {
  readonly signals = new EngineSignals();
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  /** The throttles in force (throttle.ts). */
  readonly throttles = new ThrottleLimits();
  private readonly kinds: KindRegistry;
  private readonly finishedHooks: JobFinishedHook[] = [];
  /** The jobs this process holds, by ID, each with its stop: from the claim to its task's end. */
  private readonly running = new Map<string, JobStop>();
  private readonly leases: LeaseKeeper;
  /** Items processed at once: `concurrency`. */
  private readonly slots: Slots;
  private readonly rooms: Rooms;
  private readonly claimer: Claimer;
  private readonly runner: JobRunner;
  private readonly checkpoints: GroupCommit<SlotTask, SlotCheckpoint>;
  private readonly observers: Observers;
  private loop: Promise<void> | null = null;
  private stopping = false;
  /** Jobs ended by a checkpoint since `stop` began (its summary). */
  private finishedWhileStopping = 0;

  constructor(private readonly opts: EngineOptions) {
    for (const [name, value] of Object.entries({ orgConcurrency: opts.orgConcurrency, leaseMs: opts.leaseMs })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`engine option ${name} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(opts.prefetch ?? 0) || (opts.prefetch ?? 0) < 0)
      throw new Error(`engine option prefetch must be a whole number, got ${opts.prefetch}`);
    const { db } = opts.store;
    this.kinds = new KindRegistry(this.throttles, opts.throttles);
    this.observers = new Observers(opts.log);
    this.slots = new Slots(opts.concurrency);
    this.leases = new LeaseKeeper(db, this.owner, opts.leaseMs, () => this.running.entries(), opts.log);
    this.rooms = new Rooms(opts.concurrency + (opts.prefetch ?? 0), () => this.claimer.wake());
    this.claimer = new Claimer({
      db,
      log: opts.log,
      signals: this.signals,
      idleMaxMs: opts.idleMaxMs ?? 30_000,
      room: () => this.rooms.free(),
      stopping: () => this.stopping,
      claimOptions: (limit) => this.claimOptions(limit),
      enqueue: (jobs) => this.enqueue(jobs),
    });
    this.runner = new JobRunner({
      db,
      log: opts.log,
      owner: this.owner,
      leaseMs: opts.leaseMs,
      signals: this.signals,
      slots: this.slots,
      running: this.running,
      finishedHooks: this.finishedHooks,
      kind: (name) => this.kinds.get(name),
      stopping: () => this.stopping,
      checkpoint: (task) => this.checkpoints.run(task),
      checkpointed: (job, result) => this.checkpointed(job, result),
      throttles: this.throttles,
      finishing: (commit) => this.rooms.finish(commit),
      observers: this.observers,
    });
    // A group can hold a checkpoint of every job this process holds (one each): with prefetch,
    // bigger groups share a commit and a claim among more jobs (groups of 512 beat groups of 64:
    // `npm run bench -- engine --prefetch=504`, burn-down on SQLite). The price is a longer
    // transaction, during which SQLite's one connection serves nothing else.
    const groupMax = Math.max(DEFAULT_GROUP_MAX, opts.concurrency + (opts.prefetch ?? 0));
    // Two groups side by side where the database takes concurrent writers (PostgreSQL), a
    // connection each: while one group's statements run in the server, the next group's run
    // too (two beat one and three on 2 cores: `npm run bench -- engine`, burn-down). SQLite
    // has one writer.
    const parallel = Math.min(2, opts.store.driver.concurrentWriters);
    this.checkpoints = new GroupCommit(db, (trx, group, whenSettled) => this.checkpointAndRefill(trx, group, whenSettled), groupMax, parallel);
  }

  /**
   * Records a group of checkpoints and, when they end jobs, claims replacements in the same
   * transaction (up to `room`), so slots go from one job to the next without a claim
   * transaction of their own (one commit, not two, per group: `npm run bench -- engine`).
   */
  private async checkpointAndRefill(trx: Db, group: SlotTask[], whenSettled: (undo: () => void) => void): Promise<SlotCheckpoint[]> {
    // Asked once per group, not per item: whether another organisation waits.
    const askers = this.rooms.free() <= 0 ? group.filter((task) => task.mayGiveBack) : [];
    const waiting = askers.length > 0 ? await orgsWaiting(trx) : [];
    const givenBack = new Set(askers.filter((task) => waiting.some((org) => org !== task.job.org_id)));
    for (const task of givenBack) task.startNext = false;
    const results: SlotCheckpoint[] = await itemCheckpoints(trx, group, { owner: this.owner, hooks: this.finishedHooks, throttles: this.throttles });
    group.forEach((task, i) => givenBack.has(task) && (results[i]!.giveBack = true));
    // A job's end that submitted jobs (its hooks: webhook deliveries) has work to claim.
    if (jobsSubmittedIn(trx)) this.claimer.undrain();
    const freed = results.filter((r) => !r.leaseLost && r.finished).length;
    // The jobs this group ends are still counted as held until it commits.
    const room = this.rooms.free() + freed;
    if (freed > 0 && room > 0 && !this.stopping && !this.claimer.drained) {
      const claim = await this.claimer.claimedBy(() => jobsClaimIn(trx, { ...this.claimOptions(room), waitForTurn: false }));
      results[0]!.claimed = claim.jobs;
      // Counted in `room` until this transaction settles, when they are held (committed) or
      // not claimed after all (rolled back): another group claiming meanwhile sees them.
      whenSettled(this.rooms.setAside(claim.jobs.length));
    }
    return results;
  }

  private claimOptions(limit: number): ClaimOptions {
    return {
      owner: this.owner,
      leaseMs: this.opts.leaseMs,
      limit,
      orgConcurrency: this.opts.orgConcurrency,
      uncountedKinds: this.internalKinds(),
      throttles: this.throttles,
    };
  }

  register(kind: JobKind<never>): void {
    this.kinds.register(kind);
  }

  /** Kinds that are the server's own bookkeeping, left out of job lists. */
  internalKinds(): string[] {
    return this.kinds.internal();
  }

  /** Every registered kind, in registration order. */
  registeredKinds(): JobKind[] {
    return this.kinds.all();
  }

  kind<Input = never>(name: string): JobKind<Input> | undefined {
    return this.kinds.get<Input>(name);
  }

  /** Tells `observer` of this process's claims, items' and jobs' ends and lost leases (see observer.ts). */
  observe(observer: EngineObserver): void {
    this.observers.add(observer);
  }

  /** Runs inside the transaction that finishes any job (for webhook outbox rows). */
  onJobFinished(hook: JobFinishedHook): void {
    this.finishedHooks.push(hook);
  }

  async submit<Input>(request: SubmitRequest<Input>): Promise<JobRow> {
    this.kinds.assertRegistered([request.kind]);
    if (this.mayStartAtSubmit()) {
      return submitAndStart(
        {
          db: this.opts.store.db,
          rooms: this.rooms,
          signals: this.signals,
          start: {
            owner: this.owner,
            leaseMs: this.opts.leaseMs,
            orgConcurrency: this.opts.orgConcurrency,
            uncountedKinds: this.internalKinds(),
            throttled: (trx, orgId, kind) => this.throttled(trx, orgId, kind),
          },
          enqueue: (jobs) => this.enqueue(jobs),
          wakeClaimer: () => this.claimer.wake(),
        },
        request,
      );
    }
    const job = await jobSubmit(this.opts.store.db, request);
    this.signals.jobChanged(job.id);
    this.signals.workAvailable();
    return job;
  }

  /** Whether a throttle limits the organisation's items of `kind` (`db`: the caller's transaction). */
  private async throttled(db: Db, orgId: string, kind: string): Promise<boolean> {
    return (await this.throttles.any(db)) && this.throttles.limitFor(orgId, kind) !== undefined;
  }

  /**
   * Whether a submission may start its job in its own transaction (startAtSubmit.ts): this
   * process runs workers and has room, and its last claim took every claimable job, with no
   * work signalled and no job come due since, so the claimer would take this job next and no
   * other job waits for its turn.
   */
  private mayStartAtSubmit(): boolean {
    return this.loop !== null && !this.stopping && this.claimer.idleUntilSignalled() && this.rooms.free() > 0;
  }

  /**
   * Submits inside the caller's transaction (a job that must commit with other rows). Workers
   * are woken when that transaction commits (`afterCommit`; on PostgreSQL the relay tells the
   * other processes then); a transaction rolled back leaves no job and wakes no one.
   */
  async submitIn<Input>(trx: Db, request: SubmitRequest<Input>): Promise<JobRow> {
    this.kinds.assertRegistered([request.kind]);
    const job = await jobSubmit(trx, request);
    await afterCommit(trx, () => {
      this.signals.jobChanged(job.id);
      this.signals.workAvailable();
    });
    return job;
  }

  /**
   * `submitIn` of many jobs, all or none, written per batch rather than per job (submitMany.ts):
   * one insert of the jobs, one of their items, and per organisation one credit reservation
   * and one turn update. The views are those `submitIn` would return, in order.
   */
  async submitManyIn<Input>(trx: Db, requests: SubmitRequest<Input>[]): Promise<JobRow[]> {
    this.kinds.assertRegistered(requests.map((r) => r.kind));
    const jobs = await jobsSubmitMany(trx, requests);
    await afterCommit(trx, () => {
      for (const job of jobs) this.signals.jobChanged(job.id);
      this.signals.workAvailable();
    });
    return jobs;
  }

  /** Why each of `jobs` that waits does (`throttled`), by job ID; jobs that wait on nothing are absent. */
  waitingReasons(jobs: JobRow[]): Promise<Map<string, WaitingReason>> {
    return jobsWaitingReasons(this.opts.store.db, this.throttles, jobs);
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
      const { job } = result;
      this.observers.tell('jobEnded', {
        job: observedJob(job),
        status: 'canceled',
        seconds: secondsBetween(job.started_at, job.completed_at),
        creditsCharged: Number(job.credits_charged),
      });
    }
    return result;
  }

  start(): void {
    this.kinds.assertThrottlesKnown();
    if (this.loop || this.opts.concurrency < 1) return;
    this.stopping = false;
    this.slots.open();
    this.leases.start();
    this.loop = this.claimer.run(() => this.rooms.settled());
  }

  /**
   * Graceful stop: no new claims; current items get `graceMs` to finish, then are aborted;
   * every lease this engine holds is released so another worker can take over at once.
   */
  async stop(graceMs = 10_000): Promise<EngineStopSummary> {
    const held = this.rooms.count();
    this.finishedWhileStopping = 0;
    this.stopping = true;
    this.slots.close();
    this.signals.workAvailable();
    this.claimer.wake();
    const all = this.loop ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)))]);
    clearTimeout(timer);
    if (timedOut) {
      for (const jobStop of this.running.values()) jobStop.stop(new ShutdownSignal('shutting down'));
      await all;
    }
    this.loop = null;
    await this.rooms.startsSettled();
    await this.leases.stop();
    const handedBack = await jobsReleaseAllOf(this.opts.store.db, this.owner);
    return { held, finished: this.finishedWhileStopping, handedBack, graceExpired: timedOut };
  }

  /**
   * What the engine is doing now, so a test can wait until the engine has looked instead of
   * sleeping a while and hoping it did: the claimer sleeps only after it has acted on every
   * signal and job end so far, and an item waiting for a slot has got as far as it may.
   */
  activity(): EngineActivity {
    return {
      claimRounds: this.claimer.rounds,
      claimerAsleep: this.claimer.asleep,
      held: this.rooms.count(),
      waitingForSlot: this.runner.waitingForSlot,
    };
  }

  /** Starts a task for each claimed job; its items wait for slots. */
  private enqueue(claimed: ClaimedJob[]): void {
    for (const { job, item } of claimed) {
      this.signals.jobChanged(job.id);
      this.rooms.hold(this.runner.run(job, item));
    }
    if (this.observers.any) {
      for (const { job } of claimed) {
        const attempt = Number(job.attempts);
        this.observers.tell('jobClaimed', { job: observedJob(job), attempt, queueWaitSeconds: attempt === 1 ? secondsBetween(job.run_at) : null });
      }
    }
  }

  /** What a checkpoint's commit means to the engine, whether the slot waited for it or not. */
  private checkpointed(job: HeldJob, result: SlotCheckpoint): void {
    if (result.claimed) this.enqueue(result.claimed);
    if (this.stopping && !result.leaseLost && result.finished) this.finishedWhileStopping += 1;
    this.signals.jobChanged(job.id);
    // A job's end frees a place for its organisation and, in a serial queue, the queue's next
    // job: claimers look again, unless every claimable job was taken (see `Claimer.drained`).
    if (!result.leaseLost && result.finished && (!this.claimer.drained || job.queue !== null)) this.signals.workAvailable();
  }
}
