/**
 * Lease upkeep for the worker holding a job. Each statement changes the row only while the
 * caller still holds the lease (compare-and-set on `lease_owner` and `status`), so a worker
 * that lost its lease, or whose job was canceled, can never overwrite the new state. Lease
 * expiries and due times are the database's clock's (`Driver.now`), not this process's; the
 * time a row records as its update is this process's.
 */
import { nowIso } from '../../ids.ts';
import type { Db } from '../../store/database.ts';
import { idsMatch } from '../../store/dialect.ts';
import { driverOf } from '../../store/driver.ts';

/**
 * Heartbeat: pushes out the leases of many jobs in one statement (see `LeaseKeeper`). Returns
 * the IDs of those renewed; the others have lost their lease or are no longer running.
 */
export async function jobsLeaseRenewIfOwner(db: Db, jobIds: string[], owner: string, leaseMs: number): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const driver = driverOf(db);
  const rows = await db
    .updateTable('jobs')
    .set({ lease_expires_at: driver.nowPlus(leaseMs), available_at: driver.nowPlus(leaseMs), updated_at: nowIso() })
    .where(idsMatch(db, 'id', jobIds))
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Gives the job back to the queue, claimable again from `availableAt` (a time read from the database), or at once. */
export async function jobLeaseReleaseIfOwner(db: Db, jobId: string, owner: string, availableAt?: string): Promise<boolean> {
  const driver = driverOf(db);
  const result = await db
    .updateTable('jobs')
    .set({ lease_owner: null, lease_expires_at: null, available_at: availableAt ?? driver.now(), updated_at: nowIso() })
    .where('id', '=', jobId)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Inside a checkpoint: locks the job row and checks the lease is still ours. */
export async function jobHoldIfOwner(trx: Db, jobId: string, owner: string, now: string): Promise<boolean> {
  const result = await trx
    .updateTable('jobs')
    .set({ updated_at: now })
    .where('id', '=', jobId)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Gives one held job back at once, its running item to pending with the attempt not counted:
 * for a worker that could not record its item (the database connection lost), so the job is
 * claimable now rather than when its lease runs out. False: the lease was not ours any more.
 */
export async function jobReleaseWithItemsIfOwner(db: Db, jobId: string, owner: string, now: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await jobHoldIfOwner(trx, jobId, owner, now))) return false;
    await trx
      .updateTable('job_items')
      .set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1) }))
      .where('job_id', '=', jobId)
      .where('status', '=', 'running')
      .execute();
    return jobLeaseReleaseIfOwner(trx, jobId, owner);
  });
}

/** Shutdown: every job this worker holds goes back to the queue at once, its running items to pending. */
export async function jobsReleaseAllOf(db: Db, owner: string): Promise<number> {
  const dueNow = driverOf(db).now();
  const now = nowIso();
  return db.transaction().execute(async (trx) => {
    const held = await trx.selectFrom('jobs').select('id').where('lease_owner', '=', owner).where('status', '=', 'running').execute();
    if (held.length === 0) return 0;
    const ids = held.map((j) => j.id);
    await trx
      .updateTable('job_items')
      .set((eb) => ({ status: 'pending', attempts: eb('attempts', '-', 1) }))
      .where('job_id', 'in', ids)
      .where('status', '=', 'running')
      .execute();
    await trx
      .updateTable('jobs')
      .set({ lease_owner: null, lease_expires_at: null, available_at: dueNow, updated_at: now })
      .where('id', 'in', ids)
      .where('lease_owner', '=', owner)
      .execute();
    return ids.length;
  });
}

/**
 * A job's status, by ID alone (undefined when it is gone): after a worker found its lease gone,
 * whether the job ended (canceled) or another worker may hold it now. Read outside any
 * transaction, after the fact (`EngineObserver.leaseLost`).
 */
export async function jobStatusGet(db: Db, jobId: string): Promise<string | undefined> {
  return (await db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst())?.status;
}
