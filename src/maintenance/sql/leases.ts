/**
 * The maintenance leases (migration 0015): one row per task. Taking a round is one conditional
 * UPDATE, atomic on both databases (SQLite serialises writers; PostgreSQL re-reads the row a
 * concurrent update changed and finds it no longer due), so of any number of processes asking
 * at once, one gets the round.
 */
import type { Db } from '../../store/database.ts';

interface MaintenanceLeasesTable {
  task: string;
  due_at: string;
  held_until: string | null;
  holder: string | null;
}

const EPOCH = new Date(0).toISOString();

function leases(db: Db) {
  return db.withTables<{ maintenance_leases: MaintenanceLeasesTable }>();
}

/**
 * Takes this period's round of `task` for `holder` if it is due at `now` and no round is under
 * way: the next is then due `everyMs` later, and the hold lasts `holdMs` unless renewed.
 */
export async function leaseTakeIfDue(db: Db, lease: { task: string; holder: string; now: Date; everyMs: number; holdMs: number }): Promise<boolean> {
  const now = lease.now.toISOString();
  await leases(db)
    .insertInto('maintenance_leases')
    .values({ task: lease.task, due_at: EPOCH, held_until: null, holder: null })
    .onConflict((oc) => oc.column('task').doNothing())
    .execute();
  const taken = await leases(db)
    .updateTable('maintenance_leases')
    .set({
      due_at: new Date(lease.now.getTime() + lease.everyMs).toISOString(),
      held_until: new Date(lease.now.getTime() + lease.holdMs).toISOString(),
      holder: lease.holder,
    })
    .where('task', '=', lease.task)
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('held_until', 'is', null), eb('held_until', '<=', now)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** Extends a round's hold while it runs; false when the holder lost it (its hold ran out and another took the task). */
export async function leaseRenew(db: Db, lease: { task: string; holder: string; heldUntil: Date }): Promise<boolean> {
  const renewed = await leases(db)
    .updateTable('maintenance_leases')
    .set({ held_until: lease.heldUntil.toISOString() })
    .where('task', '=', lease.task)
    .where('holder', '=', lease.holder)
    .where('held_until', 'is not', null)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) === 1;
}

/** Ends a round: the task is free again (its next round still waits for `due_at`). */
export async function leaseRelease(db: Db, lease: { task: string; holder: string }): Promise<void> {
  await leases(db).updateTable('maintenance_leases').set({ held_until: null }).where('task', '=', lease.task).where('holder', '=', lease.holder).execute();
}
