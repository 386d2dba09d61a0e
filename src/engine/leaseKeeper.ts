/**
 * Keeps the leases of the jobs this process holds: every beat, one statement renews them all
 * (`jobsLeaseRenewIfOwner`), and a job whose lease could not be renewed is told to stop.
 *
 * Guarantees: while the database answers, each held job's lease is renewed at least once every
 * `periodMs` (a third of the lease, so twice before it could run out); a job whose lease is
 * gone (canceled, ended, or expired and taken by another process) is stopped at the beat that
 * finds out, and only the job as it was held when the beat began: a job given back and held
 * again meanwhile keeps its new hold. A renewal whose connection was cut is tried again at once
 * on a fresh one (it is idempotent). Not guaranteed: a renewal that fails (the database away)
 * stops nothing; the next beat tries again, and a lease that runs out meanwhile is lost.
 *
 * Why one statement: a timer and an UPDATE per held job would be 512 timers in a burn-down
 * (`npm run bench -- engine`) and, on PostgreSQL, a round trip per job per beat for long jobs.
 */
import type { FastifyBaseLogger } from 'fastify';
import { retryOnConnectionLoss } from '../store/connectionLoss.ts';
import type { Db } from '../store/database.ts';
import type { JobStop } from './jobStop.ts';
import { jobsLeaseRenewIfOwner } from './sql/jobLease.ts';

/** Why the lease keeper stops a job: its lease could not be renewed (lost, or the job ended elsewhere). */
export class LeaseGone extends Error {
  override name = 'LeaseGone';
}

export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly owner: string,
    private readonly leaseMs: number,
    /** The jobs held now, each with the stop of its hold. */
    private readonly held: () => Iterable<[string, JobStop]>,
    private readonly log: FastifyBaseLogger,
  ) {}

  get periodMs(): number {
    return Math.max(100, Math.floor(this.leaseMs / 3));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // One beat at a time: a slow database must not pile statements up.
      if (!this.beating) this.beating = this.beat().finally(() => (this.beating = null));
    }, this.periodMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
  }

  /** Renews every held lease once. */
  private async beat(): Promise<void> {
    const holds = [...this.held()];
    if (holds.length === 0) return;
    try {
      const renewed = await retryOnConnectionLoss(
        () =>
          jobsLeaseRenewIfOwner(
            this.db,
            holds.map(([id]) => id),
            this.owner,
            this.leaseMs,
          ),
        { attempts: 3 },
      );
      for (const [id, jobStop] of holds) if (!renewed.has(id)) jobStop.stop(new LeaseGone('lease lost or job ended'));
    } catch (err) {
      this.log.warn({ err, jobs: holds.length }, 'renewing leases failed');
    }
  }
}
