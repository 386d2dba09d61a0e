/**
 * This process's row in `processes`, which `GET /workers` and `longrun workers` list: who it is
 * (the engine's lease owner, host, pid, role, version), when it started, and at each beat the
 * jobs it holds.
 *
 * Guarantees:
 * - the first beat is written before `start` resolves, so a process that says it is serving is
 *   listed; then one every `everyMs`, never two at once, on a timer that never keeps the
 *   process alive;
 * - a process counts as alive until `MISSED_BEATS` intervals after its last beat, by the
 *   database's clock: one killed, stuck or cut off from the database drops out of the list then
 *   (and its row is deleted by the `processes.pruning` maintenance task);
 * - a failed beat is logged and the next one tried; it never stops the process;
 * - `stop` (graceful shutdown) waits for a beat under way, then deletes the row, so a process
 *   that stopped drops out at once. The process keeps beating until then: call it after the
 *   engine has stopped, so a shutdown's grace period shows as alive.
 * Not guaranteed: the jobs held are those of the last beat, up to `everyMs` old.
 */
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../store/database.ts';
import { processBeat } from '../store/processes/processBeat.ts';
import { processDelete } from '../store/processes/processDelete.ts';
import type { ProcessRole } from '../store/tables/processes.ts';
import { VERSION } from '../version.ts';

/** Beats a process may miss before it counts as gone. */
export const MISSED_BEATS = 3;

export interface ProcessHeartbeatOptions {
  db: Db;
  /** The engine's lease owner (host:pid:nonce), so a job's `lease_owner` names its process. */
  id: string;
  role: ProcessRole;
  workerSlots: number;
  /** Jobs this process holds now (`Engine.activity().held`). */
  jobsHeld: () => number;
  everyMs: number;
  log: FastifyBaseLogger;
}

export class ProcessHeartbeat {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  /** The row's start time, from the first beat: kept if the row is ever written again. */
  private startedAt: string | undefined;
  private failing = false;

  private constructor(private readonly opts: ProcessHeartbeatOptions) {}

  /** Writes the first beat, then beats every `everyMs`. */
  static async start(opts: ProcessHeartbeatOptions): Promise<ProcessHeartbeat> {
    const heartbeat = new ProcessHeartbeat(opts);
    await heartbeat.beat();
    heartbeat.timer = setInterval(() => void heartbeat.beat(), opts.everyMs);
    heartbeat.timer.unref();
    return heartbeat;
  }

  /** Stops beating and deletes the row (a failure is logged: the row then expires like a killed process's). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await processDelete(this.opts.db, this.opts.id).catch((err: unknown) =>
      this.opts.log.warn({ err }, 'could not remove this process from the list of processes'),
    );
  }

  private beat(): Promise<void> {
    // A beat slower than the interval (a busy database) is not doubled by the next.
    this.beating ??= this.write().finally(() => (this.beating = null));
    return this.beating;
  }

  private async write(): Promise<void> {
    const { db, id, role, workerSlots, everyMs, log } = this.opts;
    try {
      this.startedAt = await processBeat(db, {
        id,
        host: os.hostname(),
        pid: process.pid,
        role,
        version: VERSION,
        jobsHeld: this.opts.jobsHeld(),
        workerSlots,
        aliveMs: MISSED_BEATS * everyMs,
        startedAt: this.startedAt,
      });
      if (this.failing) log.info('process heartbeat written again');
      this.failing = false;
    } catch (err) {
      // Once per run of failures: a database that is down says so elsewhere too.
      if (!this.failing) log.warn({ err }, 'could not write the process heartbeat; trying again at the next beat');
      this.failing = true;
    }
  }
}
