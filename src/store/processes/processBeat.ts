/**
 * A process's heartbeat: one statement that writes its row or, if it is there, its beat (time,
 * alive-until, jobs held). The first beat and a beat after the row was pruned (the process was
 * quiet long enough to count as dead, then came back) are the same write, so a process that
 * beats is listed whatever happened before. Times are the database's clock (`Driver.now`), so
 * processes on machines whose clocks differ agree on who is alive.
 */
import type { Db } from '../database.ts';
import { driverOf } from '../driver.ts';
import type { ProcessRole } from '../tables/processes.ts';

export interface ProcessBeat {
  id: string;
  host: string;
  pid: number;
  role: ProcessRole;
  version: string;
  jobsHeld: number;
  workerSlots: number;
  /** How long after this beat the process still counts as alive without another. */
  aliveMs: number;
  /** The row's start time from an earlier beat, kept if the row must be written again; absent: now. */
  startedAt?: string;
}

/** Returns the row's `started_at`, for the next beats to keep. */
export async function processBeat(db: Db, beat: ProcessBeat): Promise<string> {
  const driver = driverOf(db);
  const row = await db
    .insertInto('processes')
    .values({
      id: beat.id,
      host: beat.host,
      pid: beat.pid,
      role: beat.role,
      version: beat.version,
      started_at: beat.startedAt ?? driver.now(),
      beat_at: driver.now(),
      alive_until: driver.nowPlus(beat.aliveMs),
      jobs_held: beat.jobsHeld,
      worker_slots: beat.workerSlots,
    })
    .onConflict((oc) => oc.column('id').doUpdateSet({ beat_at: driver.now(), alive_until: driver.nowPlus(beat.aliveMs), jobs_held: beat.jobsHeld }))
    .returning('started_at')
    .executeTakeFirstOrThrow();
  return row.started_at;
}
