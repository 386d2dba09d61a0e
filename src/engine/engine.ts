/**
 * The engine: kinds, submission, cancellation, and the workers that claim and run jobs.
 *
 * Guarantees (each backed by the SQL module named):
 * - a job is held by one worker at a time under a lease renewed by heartbeat (`jobsClaim`,
 *   `jobLease`); a worker that dies loses it when the lease expires, and whoever claims the job
 *   next continues with its unfinished items (`itemStartNext`);
 * - an item's result, charge, event and the job's end commit together (`itemCheckpoint`);
 *   several slots' checkpoints may share one transaction (`GroupCommit`), each still whole;
 * - one claimer per process fills every free slot at once (`jobsClaim`), instead of each slot
 *   claiming for itself: one transaction, not one per job; a slot whose job ends gets its next
 *   job in the transaction that ends it (`checkpointAndRefill`);
 * - slots take one item at a time and give the job back when another organisation is waiting
 *   and no slot is free, so a big job delays others by at most one item per slot;
 * - an idle claimer sleeps until a signal (submission, freed slot) or the next time a job
 *   becomes claimable (a delayed job, a retry, an expiring lease): no polling loop.
 * Not guaranteed: a processor's side effects happen at least once; only its recorded result is
 * exactly once.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { nowIso } from '../ids.ts';
import type { Db, Store } from '../store/database.ts';
import { GroupCommit } from '../store/groupCommit.ts';
import { KindFault } from './errors.ts';
import type { JobKind } from './kind.ts';
import { processItem } from './processItem.ts';
import { EngineSignals } from './signals.ts';
import { itemCheckpoints, type CheckpointArgs, type CheckpointResult } from './sql/itemCheckpoint.ts';
import { itemStartNext, type ItemRow } from './sql/itemStartNext.ts';
import { jobCancel, type CancelResult } from './sql/jobCancel.ts';
import { jobsClaim, jobsClaimIn, type ClaimedJob, type ClaimOptions, type JobRow } from './sql/jobsClaim.ts';
import { jobFinalize, type JobFinishedHook } from './sql/jobFinalize.ts';
import { jobHoldIfOwner, jobLeaseReleaseIfOwner, jobLeaseRenewIfOwner, jobsReleaseAllOf } from './sql/jobLease.ts';
import { jobsNextAvailableAt, jobsOtherOrgWaiting } from './sql/jobsMaintenance.ts';
import { jobProgressSetIfOwner } from './sql/jobProgress.ts';
import { jobSubmit, type SubmitRequest } from './submit.ts';

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
}

/** A checkpoint's result, with the job claimed for its slot when it ended the slot's job. */
type SlotCheckpoint = CheckpointResult & { successor?: ClaimedJob };

class ShutdownSignal extends Error {
  override name = 'ShutdownSignal';
}

export class Engine {
  readonly signals = new EngineSignals();
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private readonly kinds = new Map<string, JobKind>();
  private readonly finishedHooks: JobFinishedHook[] = [];
  private readonly running = new Map<string, AbortController>();
  /** The jobs this process's slots are working on: a slot is free when it has none. */
  private readonly held = new Set<Promise<void>>();
  private readonly checkpoints: GroupCommit<CheckpointArgs, SlotCheckpoint>;
  private loop: Promise<void> | null = null;
  private wakeClaimer: (() => void) | null = null;
  private stopping = false;
  private workSignalled = false;
  private claimFailures = 0;

  constructor(private readonly opts: EngineOptions) {
    for (const [name, value] of Object.entries({ orgConcurrency: opts.orgConcurrency, leaseMs: opts.leaseMs })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`engine option ${name} must be a positive integer, got ${value}`);
    }
    this.checkpoints = new GroupCommit(opts.store.db, (trx, group) => this.checkpointAndRefill(trx, group));
  }

  /**
   * Records a group of checkpoints and, in the same transaction, claims a job for each slot
   * whose job they end: its successor. A slot goes from one job to the next without a claim
   * transaction of its own (one commit, not two, per round of slots: `npm run bench -- engine`).
   */
  private async checkpointAndRefill(trx: Db, group: CheckpointArgs[]): Promise<SlotCheckpoint[]> {
    const results: SlotCheckpoint[] = await itemCheckpoints(trx, group, { owner: this.owner, hooks: this.finishedHooks });
    const freed = results.filter((r) => !r.leaseLost && r.finished);
    if (freed.length === 0 || this.stopping) return results;
    const successors = await jobsClaimIn(trx, { ...this.claimOptions(freed.length), waitForTurn: false });
    successors.forEach((successor, i) => (freed[i]!.successor = successor));
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

  kind<Input = never>(name: string): JobKind<Input> | undefined {
    return this.kinds.get(name) as JobKind<Input> | undefined;
  }

  /** Runs inside the transaction that finishes any job (for webhook outbox rows). */
  onJobFinished(hook: JobFinishedHook): void {
    this.finishedHooks.push(hook);
  }

  async submit<Input>(request: SubmitRequest<Input>): Promise<JobRow> {
    if (this.kinds.get(request.kind.name) !== request.kind) throw new Error(`job kind "${request.kind.name}" is not registered`);
    const job = await jobSubmit(this.opts.store.db, request);
    this.signals.jobChanged(job.id);
    this.signals.workAvailable();
    return job;
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
      // A worker of this process stops now; one elsewhere at its next heartbeat.
      this.running.get(jobId)?.abort(new Error('job canceled'));
      this.signals.jobChanged(jobId);
      this.signals.workAvailable();
    }
    return result;
  }

  start(): void {
    if (this.loop || this.opts.concurrency < 1) return;
    this.stopping = false;
    this.loop = this.claimLoop();
  }

  /**
   * Graceful stop: no new claims; current items get `graceMs` to finish, then are aborted;
   * every lease this engine holds is released so another worker can take over at once.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
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
      for (const controller of this.running.values()) controller.abort(new ShutdownSignal('shutting down'));
      await all;
    }
    this.loop = null;
    await jobsReleaseAllOf(this.opts.store.db, this.owner, nowIso());
  }

  private freeSlots(): number {
    return this.opts.concurrency - this.held.size;
  }

  /** Claims work for every free slot at once, then waits for a slot to free or for work to come. */
  private async claimLoop(): Promise<void> {
    const stopListening = this.signals.onWork(() => {
      this.workSignalled = true;
      this.wakeClaimer?.();
    });
    try {
      while (!this.stopping) {
        const free = this.freeSlots();
        if (free === 0) {
          await this.nap();
          continue;
        }
        // A signal from here on means "look again": one that fires while this claim runs, for a
        // job it did not see, must not be slept through (found by the agents' serial-queue test).
        this.workSignalled = false;
        let claimed;
        try {
          claimed = await jobsClaim(this.opts.store.db, this.claimOptions(free));
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
        for (const first of claimed) {
          const slot: Promise<void> = this.runSlot(first).finally(() => {
            this.held.delete(slot);
            this.wakeClaimer?.();
          });
          this.held.add(slot);
        }
        // Something claimed: claim again at once for any slot still free (a claim gives each
        // organisation only its share). Nothing: sleep until a signal or the next due job.
        if (claimed.length === 0) {
          const ms = await this.idleMs();
          if (!this.workSignalled && !this.stopping) await this.nap(ms);
        }
      }
      await Promise.all(this.held);
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

  /** A slot: runs its job, then the successor its last checkpoint claimed, and so on. */
  private async runSlot(first: ClaimedJob): Promise<void> {
    let next: ClaimedJob | null = first;
    while (next) {
      this.signals.jobChanged(next.job.id);
      next = await this.runJob(next.job, next.item);
    }
  }

  /**
   * Works through a job's items, starting with `first` when the claim started one. Returns the
   * job claimed for this slot when the job ended in a checkpoint (see `checkpointAndRefill`).
   */
  private async runJob(job: JobRow, first: ItemRow | null): Promise<ClaimedJob | null> {
    const { db } = this.opts.store;
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const heartbeat = setInterval(() => {
      jobLeaseRenewIfOwner(db, job.id, this.owner, new Date(), this.opts.leaseMs)
        .then((held) => held || controller.abort(new Error('lease lost or job ended')))
        .catch((err: unknown) => this.opts.log.warn({ err, jobId: job.id }, 'heartbeat failed'));
    }, Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    let started = first;
    try {
      const kind = this.kinds.get(job.kind);
      if (!kind) throw new KindFault(new Error(`no job kind "${job.kind}" is registered in this process`));
      for (;;) {
        if (controller.signal.aborted) return null;
        // Stopping: `stop` gives back every job this process holds, with any item started.
        if (this.stopping) return null;
        const next = started ? { item: started } : await itemStartNext(db, job.id, this.owner, nowIso());
        started = null;
        if ('leaseLost' in next) return null;
        if ('waitUntil' in next) {
          await jobLeaseReleaseIfOwner(db, job.id, this.owner, next.waitUntil, nowIso());
          this.signals.workAvailable();
          return null;
        }
        if ('allDone' in next) {
          // Only reachable if a crash fell between an item's checkpoint and its job's end,
          // which one transaction prevents; kept so such a job can never hang.
          await this.finalizeIfHeld(job, { status: 'completed' });
          return null;
        }
        const outcome = await processItem(kind, job, next.item, controller.signal, this.opts.log, this.progressReporter(job.id));
        // Give the job back after this item when another organisation waits for a slot.
        const giveBack = job.items_total > 1 && this.freeSlots() === 0 && (await jobsOtherOrgWaiting(db, job.org_id, nowIso()));
        const result = await this.checkpoints.run({
          job,
          kind,
          seq: next.item.seq,
          key: next.item.key,
          outcome,
          startNext: !giveBack && !this.stopping && outcome.type !== 'abandoned',
        });
        this.signals.jobChanged(job.id);
        if (result.leaseLost || outcome.type === 'abandoned') return null;
        if (result.finished) {
          this.signals.workAvailable();
          return result.successor ?? null;
        }
        if (giveBack) {
          await jobLeaseReleaseIfOwner(db, job.id, this.owner, nowIso(), nowIso());
          this.signals.workAvailable();
          return null;
        }
        started = result.next;
      }
    } catch (error) {
      if (error instanceof KindFault) {
        this.opts.log.error({ err: error.causeError, jobId: job.id }, 'job failed outside its items');
        await this.finalizeIfHeld(job, {
          status: 'failed',
          errorCode: 'INTERNAL_ERROR',
          errorMessage: this.kinds.get(job.kind)?.faultMessage ?? 'An unexpected error occurred while running this job.',
        }).catch((err: unknown) => this.opts.log.error({ err, jobId: job.id }, 'could not record the job failure'));
      } else {
        // A database error: the lease runs out and the job is claimed again.
        this.opts.log.error({ err: error, jobId: job.id }, 'running a job failed; it will be retried when its lease expires');
      }
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.id);
    }
    return null;
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

  private async finalizeIfHeld(job: JobRow, final: Parameters<typeof jobFinalize>[2]): Promise<void> {
    const now = nowIso();
    await this.opts.store.db.transaction().execute(async (trx) => {
      if (await jobHoldIfOwner(trx, job.id, this.owner, now)) await jobFinalize(trx, job.id, final, now, this.finishedHooks);
    });
    this.signals.jobChanged(job.id);
    this.signals.workAvailable();
  }
}
