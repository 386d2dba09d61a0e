/**
 * A process's presence and its health summary: its heartbeat row (processHeartbeat.ts) and one
 * log line at start and one at shutdown, the same for `serve` and `worker`.
 *
 * The start line says what the process is (role, worker slots, database, version, its ID);
 * the shutdown line what it held when the stop began and what became of it: jobs that finished
 * during the grace period, jobs handed back to the queue for another worker, and whether the
 * grace period ran out. The database is named without user, password or query string.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Engine, EngineStopSummary } from '../engine/index.ts';
import type { Store } from '../store/database.ts';
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
  log.info(
    { event: 'process.started', process: engine.owner, role, workerSlots, database: store.dialect, version: VERSION },
    `longrun ${role} process started: ${slots}, ${database}, version ${VERSION}`,
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
