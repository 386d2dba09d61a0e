/**
 * Runs the maintenance tasks in every process that runs jobs (serve and worker), each round of
 * a task by one process of the cluster.
 *
 * Guarantees:
 * - at most one round per task per period across every process sharing the database, and never
 *   two rounds of a task at once: a round is taken with the task's lease row (sql/leases.ts) and
 *   held, renewed every third of `holdMs`, until it ends;
 * - a process that dies mid-round holds its task at most `holdMs`; the task runs again in a
 *   later period (tasks are written to be repeated, see task.ts);
 * - a failed round is logged and the task is tried again next period; one task's failure does
 *   not stop the others;
 * - the timer never keeps the process alive; `stop` waits for a round under way.
 * Not guaranteed: a round starts at its due time. It starts within `checkEveryMs` after it, and
 * a period is measured by the clock of the process that takes the round (clocks of different
 * machines differ by their skew).
 */
import os from 'node:os';
import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../store/database.ts';
import { leaseRelease, leaseRenew, leaseTakeIfDue } from './sql/leases.ts';
import type { MaintenanceTask } from './task.ts';

export interface MaintenanceRunnerOptions {
  db: Db;
  tasks: MaintenanceTask[];
  log: FastifyBaseLogger;
  /** Tests walk their own clock through periods. */
  clock?: () => Date;
  /** How often this process looks for a due task. */
  checkEveryMs?: number;
  /** How long a round holds its task without renewing; a dead holder's hold runs out after this. */
  holdMs?: number;
}

export class MaintenanceRunner {
  /** Which process holds a round, as the lease row shows it. */
  readonly holder = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<string[]> | null = null;

  constructor(private readonly opts: MaintenanceRunnerOptions) {
    const names = opts.tasks.map((t) => t.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) throw new Error(`maintenance task "${twice}" is listed twice`);
  }

  /** Looks now (a task never run, or due while no process ran, goes at once), then every `checkEveryMs`. */
  start(): void {
    if (this.timer) return;
    void this.runDue();
    this.timer = setInterval(() => {
      if (!this.pass) void this.runDue();
    }, this.opts.checkEveryMs ?? 60_000);
    this.timer.unref();
  }

  /** Runs every task that is due and not held elsewhere; returns the names of those this process ran. */
  async runDue(): Promise<string[]> {
    while (this.pass) await this.pass;
    this.pass = this.runEach().finally(() => (this.pass = null));
    return this.pass;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.pass) await this.pass;
  }

  private async runEach(): Promise<string[]> {
    const ran: string[] = [];
    for (const task of this.opts.tasks) {
      try {
        if (await this.runOnce(task)) ran.push(task.name);
      } catch (err) {
        this.opts.log.error({ err, task: task.name }, 'maintenance task failed');
      }
    }
    return ran;
  }

  /** One round of `task` if this process takes it; false when it was not due or is held elsewhere. */
  private async runOnce(task: MaintenanceTask): Promise<boolean> {
    const { db, log } = this.opts;
    const clock = this.opts.clock ?? (() => new Date());
    const now = clock();
    const holdMs = this.opts.holdMs ?? 120_000;
    const lease = { task: task.name, holder: this.holder };
    if (!(await leaseTakeIfDue(db, { ...lease, now, everyMs: task.everyMs, holdMs }))) return false;
    const renewal = setInterval(() => {
      leaseRenew(db, { ...lease, heldUntil: new Date(clock().getTime() + holdMs) })
        .then((held) => held || log.warn({ task: task.name }, 'maintenance round lost its hold'))
        .catch((err: unknown) => log.warn({ err, task: task.name }, 'maintenance hold could not be renewed'));
    }, holdMs / 3);
    renewal.unref();
    try {
      const result = await task.run(now);
      log.debug({ task: task.name, result }, 'maintenance task done');
    } finally {
      clearInterval(renewal);
      await leaseRelease(db, lease);
    }
    return true;
  }
}
