/**
 * A process's presence and its health summary: its heartbeat row (processHeartbeat.ts) and one
 * log line at start and one at shutdown, the same for `serve` and `worker`.
 *
 * The start line says what the process is (role, worker slots, database, version, its ID) and
 * what it finds before it claims anything: the jobs queued, scheduled and running, of those
 * running the ones no process holds (handed back at a stop, or left by a process gone: it takes
 * them over), and the other processes alive. The shutdown line says what it held when the stop
 * began and what became of it: jobs that finished during the grace period, jobs handed back to
 * the queue for another worker, and whether the grace period ran out. The database is named
 * without user, password or query string.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { jobsOpenByKind, type Engine, type EngineStopSummary } from '../engine/index.ts';
import type { Db, Store } from '../store/database.ts';
import { processesListAlive } from '../store/processes/processesListAlive.ts';
import type { ProcessRole } from '../store/tables/processes.ts';
import { VERSION } from '../version.ts';
import { ProcessHeartbeat } from './processHeartbeat.ts';

/** `SQLite at <file>` or `PostgreSQL at <host>/<database>`, with no credentials. */
export function describeDatabase(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return `SQLite at ${databaseUrl.slice('sqlite:'.length)}`;
  try {
    const url = new URL(databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

function jobs(n: number): string {
  return `${n} job${n === 1 ? '' : 's'}`;
}

/** The shutdown line's text, e.g. `held 3 jobs: 1 finished during the grace period, 2 handed back`. */
export function stopSummaryText(summary: EngineStopSummary): string {
  if (summary.held === 0 && summary.handedBack === 0) return 'held no jobs';
  const other = summary.held - summary.finished - summary.handedBack;
  const parts = [
    `${summary.finished} finished during the grace period`,
    `${summary.handedBack} handed back`,
    // Canceled meanwhile, or their lease lost to another process.
    ...(other > 0 ? [`${other} ended otherwise`] : []),
  ];
  return `held ${jobs(summary.held)}: ${parts.join(', ')}${summary.graceExpired ? ' (the grace period ran out: running items were aborted)' : ''}`;
}

/** What a process finds at start: the queue across every kind, and the other processes alive. */
export interface StartState {
  queued: number;
  scheduled: number;
  running: number;
  /** Of `running`, those no process holds now: this process or another takes them over. */
  unheld: number;
  otherProcesses: number;
}

/** Two reads at start; null when they fail (the start line is then written without them). */
async function startState(db: Db, self: string): Promise<StartState | null> {
  try {
    const [{ rows }, alive] = await Promise.all([jobsOpenByKind(db), processesListAlive(db)]);
    const state = { queued: 0, scheduled: 0, running: 0, unheld: 0, otherProcesses: alive.filter((p) => p.id !== self).length };
    for (const row of rows) {
      if (row.status === 'running') {
        state.running += row.jobs;
        state.unheld += row.unheld;
      } else {
        state.queued += row.jobs - row.notYetDue;
        state.scheduled += row.notYetDue;
      }
    }
    return state;
  } catch {
    return null;
  }
}

/** The start line's second half, e.g. `found 3 jobs queued, 0 scheduled, 2 running (1 unheld, to be taken over); 1 other process alive`. */
export function startStateText(state: StartState): string {
  const unheld = state.unheld > 0 ? ` (${state.unheld} unheld, to be taken over)` : '';
  const others = `${state.otherProcesses} other process${state.otherProcesses === 1 ? '' : 'es'} alive`;
  return `found ${jobs(state.queued)} queued, ${state.scheduled} scheduled, ${state.running} running${unheld}; ${others}`;
}

export interface ProcessHealth {
  /** After `engine.stop`: removes the heartbeat row and logs the shutdown line. */
  stopped(summary: EngineStopSummary): Promise<void>;
}

/**
 * Writes the first heartbeat and logs the start line. Call once the process listens and before it
 * says so on stdout, so a process that says it serves is listed.
 */
export async function startProcessHealth(opts: {
  role: ProcessRole;
  workerSlots: number;
  config: Config;
  store: Store;
  engine: Engine;
  log: FastifyBaseLogger;
}): Promise<ProcessHealth> {
  const { role, workerSlots, config, store, engine } = opts;
  const log = opts.log.child({ component: 'process' });
  const startedAt = Date.now();
  const heartbeat = await ProcessHeartbeat.start({
    db: store.db,
    id: engine.owner,
    role,
    workerSlots,
    jobsHeld: () => engine.activity().held,
    everyMs: config.processHeartbeatMs,
    log,
  });
  const database = describeDatabase(config.databaseUrl);
  const slots = workerSlots === 0 ? 'no worker slots (API only)' : `${workerSlots} worker slot${workerSlots === 1 ? '' : 's'}`;
  const found = await startState(store.db, engine.owner);
  log.info(
    { event: 'process.started', process: engine.owner, role, workerSlots, database: store.dialect, version: VERSION, ...(found ? { found } : {}) },
    `longrun ${role} process started: ${slots}, ${database}, version ${VERSION}${found ? `; ${startStateText(found)}` : ''}`,
  );
  return {
    async stopped(summary) {
      await heartbeat.stop();
      log.info(
        { event: 'process.stopped', process: engine.owner, role, ...summary, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) },
        `longrun ${role} process stopped: ${stopSummaryText(summary)}`,
      );
    },
  };
}
