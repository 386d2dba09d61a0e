/**
 * The agent scheduler: fires each enabled agent's run at its cron ticks.
 *
 * Guarantees:
 * - exactly one run per tick, however many processes schedule against one database: the tick is
 *   taken by a compare-and-set on the agent's `next_run_at` (`agentAdvanceIfDue`) and the run
 *   row's unique (agent, tick) key, in the transaction that submits the run's job;
 * - a tick missed while no scheduler was running (the server was down) fires once when one
 *   starts, not once per missed tick: the next tick is computed from now, not from the missed one;
 * - a run that cannot start (not enough credits, nothing to write about) is recorded as a failed
 *   run with the reason, and the schedule moves on;
 * - disabling an agent (or clearing its schedule) clears `next_run_at`, so nothing fires.
 * Not guaranteed: a tick fires within about a second of its time (the loop looks every second),
 * later if the database is away.
 *
 * The clock is injectable so tests can walk through days, and daylight-saving changes, in a
 * second.
 */
import type { FastifyBaseLogger } from 'fastify';
import { isAppError } from '../../errors.ts';
import { InsufficientCreditsError } from '../../store/ledger.ts';
import type { Db } from '../../store/database.ts';
import { nextRunAt } from './schedule.ts';
import { agentAdvanceIfDue, agentsDue, type AgentRow } from './sql/agents.ts';
import { agentRunRecordRefused, agentRunStart, type RunStarter } from './trigger.ts';

const DUE_PER_TICK = 100;
const LOOP_MS = 1_000;

import { systemClock, type Clock } from '../family.ts';

export { systemClock, type Clock };

export class AgentScheduler {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;

  constructor(private readonly opts: RunStarter & { db: Db; log: FastifyBaseLogger; clock?: Clock }) {}

  private now(): Date {
    return (this.opts.clock ?? systemClock)();
  }

  /** Fires every agent due at the clock's now; returns how many runs this call started. */
  async tick(): Promise<number> {
    // One pass at a time in this process; other processes are kept apart by the database.
    while (this.ticking) await this.ticking;
    this.ticking = this.fireDue().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async fireDue(): Promise<number> {
    const now = this.now();
    let fired = 0;
    for (const agent of await agentsDue(this.opts.db, now.toISOString(), DUE_PER_TICK)) {
      if (await this.fire(agent, now)) fired += 1;
    }
    return fired;
  }

  private async fire(agent: AgentRow, now: Date): Promise<boolean> {
    const { db, log } = this.opts;
    const tick = agent.next_run_at!;
    const firedAt = now.toISOString();
    let next: string | null;
    try {
      next = nextRunAt({ ...agent, enabled: agent.enabled === 1 }, now);
    } catch (err) {
      log.error({ err, agentId: agent.id }, 'agent schedule cannot be read; unscheduling it');
      next = null;
    }
    try {
      const job = await db.transaction().execute(async (trx) => {
        const current = await agentAdvanceIfDue(trx, agent.id, tick, next);
        return current ? agentRunStart(trx, this.opts, current, { type: 'schedule', tick }, firedAt) : null;
      });
      return job !== null;
    } catch (err) {
      // Refused (no credits, a rule of the API): recorded as the run's failure. Anything else is tried again.
      if (!isAppError(err) && !(err instanceof InsufficientCreditsError)) {
        log.error({ err, agentId: agent.id }, 'firing an agent run failed; it is tried again at the next pass');
        return false;
      }
      await db.transaction().execute(async (trx) => {
        if (await agentAdvanceIfDue(trx, agent.id, tick, next)) await agentRunRecordRefused(trx, agent, tick, firedAt, err.message);
      });
      log.warn({ agentId: agent.id, reason: err.message }, 'a scheduled agent run could not start');
      return false;
    }
  }

  /** Fires missed ticks at once, then looks every second. */
  start(): void {
    if (this.timer) return;
    const loop = () => {
      this.tick()
        .catch((err: unknown) => this.opts.log.error({ err }, 'agent scheduler pass failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, LOOP_MS).unref();
        });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
  }
}
