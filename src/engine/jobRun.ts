/**
 * Works through one held job's items, one at a time, each in a worker slot, each ended by a
 * checkpoint.
 *
 * Guarantees: an item is processed only while its job is held, not canceled and the engine is
 * not stopping (checked again after the wait for a slot); the job's last checkpoint commits in
 * the background while its place is refilled, its lease held until then (a crash before the
 * commit means the item runs again, as for any item); a lost database connection under a
 * checkpoint or an item's start is retried on a fresh connection while the job is held, and a
 * job that still cannot go on is given back at once, not left to its lease. A kind that faults
 * outside its items fails its job. Not guaranteed: a processor's side effects happen at least
 * once; only its recorded result is exactly once.
 */
import type { FastifyBaseLogger } from 'fastify';
import { nowIso } from '../ids.ts';
import { isConnectionLoss, retryOnConnectionLoss } from '../store/connectionLoss.ts';
import type { Db } from '../store/database.ts';
import { KindFault } from './errors.ts';
import { JobStop } from './jobStop.ts';
import type { JobKind } from './kind.ts';
import { LeaseGone } from './leaseKeeper.ts';
import { secondsBetween, type ObservedJob, type Observers } from './observer.ts';
import { processItem } from './processItem.ts';
import { progressThrottle } from './progressThrottle.ts';
import type { EngineSignals } from './signals.ts';
import type { Slots } from './slots.ts';
import type { ThrottleLimits } from './throttle.ts';
import type { CheckpointArgs, CheckpointResult, ItemOutcome } from './sql/itemCheckpoint.ts';
import { itemStartNext, type StartedItem } from './sql/itemStartNext.ts';
import { jobFinalize, type FinalState } from './sql/jobFinalize.ts';
import { jobHoldIfOwner, jobLeaseReleaseIfOwner, jobReleaseWithItemsIfOwner, jobStatusGet } from './sql/jobLease.ts';
import { jobProgressSetIfOwner } from './sql/jobProgress.ts';
import type { ClaimedJob, HeldJob } from './sql/jobsClaim.ts';
import type { EndedJob, JobFinishedHook } from './types.ts';

/** A checkpoint, and whether its job may be given back after it (a job that goes on). */
export type SlotTask = CheckpointArgs & { mayGiveBack: boolean };

/**
 * A checkpoint's result, with the jobs its transaction claimed (on the group's first result),
 * and `giveBack` when its job is to be handed back: another organisation's job waits and this
 * process has no room to claim it.
 */
export type SlotCheckpoint = CheckpointResult & { claimed?: ClaimedJob[]; giveBack?: boolean };

/** What a job's run needs of the engine that holds it. */
export interface JobRunHost {
  db: Db;
  log: FastifyBaseLogger;
  owner: string;
  leaseMs: number;
  signals: EngineSignals;
  slots: Slots;
  /** The jobs this process holds, by ID, each with its stop: from the claim to its task's end. */
  running: Map<string, JobStop>;
  finishedHooks: readonly JobFinishedHook[];
  kind(name: string): JobKind | undefined;
  stopping(): boolean;
  /** Commits a checkpoint (with others: `GroupCommit`). */
  checkpoint(task: SlotTask): Promise<SlotCheckpoint>;
  /** What a checkpoint's commit means to the engine (jobs it claimed, signals). */
  checkpointed(job: HeldJob, result: SlotCheckpoint): void;
  /** Counts a job's last checkpoint, which never rejects, as held until it settles. */
  finishing(commit: Promise<void>): void;
  /** Told of items' and jobs' ends and lost leases, after each commit. */
  observers: Observers;
  /** The throttles in force: an item of a throttled kind starts only in a slot. */
  throttles: ThrottleLimits;
}

/** What an item's observer call needs, known before its checkpoint commits. */
interface ProcessedItem {
  key: string;
  outcome: ItemOutcome;
  seconds: number;
  attempt: number;
}

export const observedJob = (job: Pick<HeldJob, 'id' | 'kind' | 'org_id'>): ObservedJob => ({ id: job.id, kind: job.kind, orgId: job.org_id });

export class JobRunner {
  /** Held jobs whose next item waits for a slot (see `Engine.activity`). */
  waitingForSlot = 0;

  constructor(private readonly host: JobRunHost) {}

  /**
   * Works through a job's items, starting with `first` when the claim started one. Returns
   * without waiting for the commit of the job's last item (see `finishInBackground`). Never rejects.
   */
  async run(job: HeldJob, first: StartedItem | null): Promise<void> {
    const { db, owner, signals, slots } = this.host;
    const jobStop = new JobStop();
    // Held from here to the end of this task: the lease keeper renews it (and stops it when it is lost).
    this.host.running.set(job.id, jobStop);
    let started = first;
    // Items this job has left to finish, this one included: the checkpoint of the last needs no
    // answer before the job's place is refilled. Only this job's lease holder changes the counts.
    let open = job.items_total - job.items_succeeded - job.items_failed;
    // The run ended because the job's lease was found gone (told to observers at the end).
    let leaseGone = false;
    try {
      const kind = this.host.kind(job.kind);
      if (!kind) throw new KindFault(new Error(`no job kind "${job.kind}" is registered in this process`));
      for (;;) {
        if (jobStop.stopped) return;
        // Stopping: `stop` gives back every job this process holds, with any item started.
        if (this.host.stopping()) return;
        const next = started
          ? { item: started }
          : await this.whileConnectionLost(job, jobStop, () =>
              itemStartNext(db, job.id, owner, nowIso(), { orgId: job.org_id, kind: job.kind, limits: this.host.throttles }),
            );
        started = null;
        if ('leaseLost' in next) {
          leaseGone = true;
          return;
        }
        // A retry's time or a throttle's slot: the job waits without a place or a worker.
        if ('waitUntil' in next) {
          await jobLeaseReleaseIfOwner(db, job.id, owner, next.waitUntil);
          signals.workAvailable();
          return;
        }
        if ('allDone' in next) {
          // Only reachable if a crash fell between an item's checkpoint and its job's end,
          // which one transaction prevents; kept so such a job can never hang.
          await this.finalizeIfHeld(job, { status: 'completed' });
          return;
        }
        this.waitingForSlot += 1;
        await slots.take();
        this.waitingForSlot -= 1;
        let outcome: ItemOutcome;
        const progress = this.progressReporter(job.id);
        const processingFrom = performance.now();
        try {
          // Canceled, lease lost or stopping while it waited for the slot: the item is not run.
          if (jobStop.stopped || this.host.stopping()) return;
          outcome = await processItem(kind, job, next.item, jobStop, this.host.log, progress.report);
        } finally {
          slots.give();
        }
        const processed: ProcessedItem = { key: next.item.key, outcome, seconds: (performance.now() - processingFrom) / 1000, attempt: next.item.attempts };
        // A report still being written lands before the checkpoint, which may end the lease it needs.
        await progress.written();
        const ended = outcome.type === 'succeeded' || outcome.type === 'failed';
        const last = ended && open === 1;
        const task: SlotTask = {
          job,
          kind,
          seq: next.item.seq,
          key: next.item.key,
          outcome,
          startNext: !this.host.stopping() && outcome.type !== 'abandoned' && !last,
          last,
          // After this item the job may be handed back to another organisation's waiting job.
          mayGiveBack: job.items_total > 1 && !last && outcome.type !== 'abandoned',
        };
        // A checkpoint is safe to run again (it writes only while the item runs under our lease).
        const checkpoint = this.whileConnectionLost(job, last ? null : jobStop, () => this.host.checkpoint(task));
        if (last) {
          this.finishInBackground(job, checkpoint, processed);
          return;
        }
        const result = await checkpoint;
        this.host.checkpointed(job, result);
        this.tellCheckpoint(job, processed, result);
        leaseGone = result.leaseLost;
        if (result.leaseLost || outcome.type === 'abandoned') return;
        if (ended) open -= 1;
        if (result.finished) return;
        if (result.giveBack) {
          await jobLeaseReleaseIfOwner(db, job.id, owner);
          signals.workAvailable();
          return;
        }
        started = result.next;
      }
    } catch (error) {
      await this.failed(job, error);
    } finally {
      this.host.running.delete(job.id);
      if (leaseGone || jobStop.reason instanceof LeaseGone) void this.tellLeaseLost(job);
    }
  }

  /** An item's end and, when it ended its job, the job's: after its checkpoint committed. */
  private tellCheckpoint(job: HeldJob, item: ProcessedItem, result: SlotCheckpoint): void {
    const { observers } = this.host;
    if (!observers.any) return;
    const { outcome } = item;
    observers.tell('itemEnded', {
      job: observedJob(job),
      item: item.key,
      // Not recorded (the lease was gone): it will run again, or never (canceled).
      outcome: result.leaseLost ? 'abandoned' : outcome.type,
      seconds: item.seconds,
      attempt: item.attempt,
      errorCode: !result.leaseLost && (outcome.type === 'failed' || outcome.type === 'retry') ? outcome.code : null,
    });
    if (!result.leaseLost && result.finished) this.tellJobEnded(result.finished);
  }

  private tellJobEnded(job: EndedJob): void {
    this.host.observers.tell('jobEnded', {
      job: observedJob(job),
      status: job.status as 'completed' | 'failed' | 'canceled',
      seconds: secondsBetween(job.started_at, job.completed_at),
      creditsCharged: Number(job.credits_charged),
    });
  }

  /**
   * The job's lease was found gone: told as lost unless the job has ended (a cancel, here or in
   * another process, also takes the lease). One read, only when someone listens.
   */
  private async tellLeaseLost(job: HeldJob): Promise<void> {
    const { observers, db, log } = this.host;
    if (!observers.any) return;
    try {
      const status = await jobStatusGet(db, job.id);
      if (status === 'queued' || status === 'running') observers.tell('leaseLost', { job: observedJob(job) });
    } catch (err) {
      log.warn({ err, jobId: job.id }, 'could not read a job whose lease was lost');
    }
  }

  /**
   * The checkpoint of a job's last item: the job's task ends now, and the commit is counted as
   * held (`finishing`; the job's lease is held until it) so the job's place is not taken twice.
   */
  private finishInBackground(job: HeldJob, checkpoint: Promise<SlotCheckpoint>, item: ProcessedItem): void {
    const { db, owner, signals, log } = this.host;
    this.host.finishing(
      checkpoint
        .then(async (result) => {
          this.host.checkpointed(job, result);
          this.tellCheckpoint(job, item, result);
          if (result.leaseLost) void this.tellLeaseLost(job);
          // Not the end after all (never seen; a miscount must not leave the job held until its lease runs out).
          if (!result.leaseLost && !result.finished) {
            log.warn({ jobId: job.id }, 'a job thought finished has items open; giving it back');
            await jobLeaseReleaseIfOwner(db, job.id, owner);
            signals.workAvailable();
          }
        })
        .catch((error: unknown) => this.failed(job, error)),
    );
  }

  /**
   * Runs `work` (one transaction, safe to run again) and, while it fails because the database
   * connection was lost, again on a fresh connection, pausing 50 ms doubling to 1 s: so a cut
   * connection costs a job a moment, not the rest of its lease. Gives up (throws) when the job
   * stops (lease lost, canceled, shutdown) or after `leaseMs`, when the lease would have run out
   * anyway; a run after that finds the lease gone and writes nothing.
   */
  private whileConnectionLost<T>(job: HeldJob, jobStop: JobStop | null, work: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + this.host.leaseMs;
    return retryOnConnectionLoss(work, {
      attempts: Infinity,
      giveUp: () => Boolean(jobStop?.stopped) || Date.now() >= giveUpAt,
      onRetry: (err) => this.host.log.warn({ err, jobId: job.id }, 'the database connection was lost while running a job; trying again'),
    });
  }

  /**
   * A job's kind failed outside its items: the job fails. The database connection lost (after
   * the checkpoint's own retries, see `GroupCommit`): the job is given back at once, its item
   * to run again. Anything else, or a give-back that fails too: its lease runs out and it is
   * claimed again (that wait is the backoff of a job whose checkpoint fails for good).
   */
  private async failed(job: HeldJob, error: unknown): Promise<void> {
    const { db, owner, signals, log } = this.host;
    if (isConnectionLoss(error)) {
      try {
        await retryOnConnectionLoss(() => jobReleaseWithItemsIfOwner(db, job.id, owner, nowIso()));
        log.warn({ err: error, jobId: job.id }, 'the database connection was lost while running a job; gave it back');
        signals.jobChanged(job.id);
        signals.workAvailable();
        return;
      } catch (err) {
        log.error({ err, jobId: job.id }, 'could not give back a job after losing the database connection; it will be retried when its lease expires');
        return;
      }
    }
    if (error instanceof KindFault) {
      log.error({ err: error.causeError, jobId: job.id }, 'job failed outside its items');
      await this.finalizeIfHeld(job, {
        status: 'failed',
        errorCode: 'INTERNAL_ERROR',
        errorMessage: this.host.kind(job.kind)?.faultMessage ?? 'An unexpected error occurred while running this job.',
      }).catch((err: unknown) => log.error({ err, jobId: job.id }, 'could not record the job failure'));
    } else {
      log.error({ err: error, jobId: job.id }, 'running a job failed; it will be retried when its lease expires');
    }
  }

  /**
   * The processor's `reportProgress`: throttled writes that never block it (see
   * progressThrottle.ts), one after another; `written()` settles when the last has.
   */
  private progressReporter(jobId: string): { report: (fraction: number) => void; written: () => Promise<void> } {
    const { db, owner, signals, log } = this.host;
    let last: Promise<void> = Promise.resolve();
    const report = progressThrottle((fraction, stepEvent, at) => {
      last = last
        .then(() => jobProgressSetIfOwner(db, jobId, owner, fraction, stepEvent, at))
        .then(() => signals.jobChanged(jobId))
        .catch((err: unknown) => log.warn({ err, jobId }, 'could not record progress'));
    });
    return { report, written: () => last };
  }

  private async finalizeIfHeld(job: HeldJob, final: FinalState): Promise<void> {
    const { db, owner, signals } = this.host;
    const now = nowIso();
    const ended = await db
      .transaction()
      .execute(async (trx) => ((await jobHoldIfOwner(trx, job.id, owner, now)) ? jobFinalize(trx, job.id, final, now, this.host.finishedHooks) : null));
    signals.jobChanged(job.id);
    signals.workAvailable();
    if (ended) this.tellJobEnded(ended);
  }
}
