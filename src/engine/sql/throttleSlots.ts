/**
 * The throttles' slots (see throttle.ts): per organisation and kind, the time its next item may
 * start, locked by whoever starts one, so two transactions never take the same slot.
 *
 * Guarantees: a slot row is read under a lock held to the end of the caller's transaction and
 * moved on in that transaction, so the starts it counts commit with it or not at all. On
 * PostgreSQL a caller that holds other rows passes over a busy slot row instead of waiting for
 * it (`wait: false`: the claim, a group of checkpoints), so no two transactions can wait on each
 * other through these rows; SQLite's one writer holds them all. Times are the database's clock's.
 */
import { sql } from 'kysely';
import type { Db } from '../../store/database.ts';
import { driverOf } from '../../store/driver.ts';
import { throttleAdvance, throttleKey, throttleOpen, type ThrottleLimit, type ThrottleLimits } from '../throttle.ts';
import type { StartedItem } from './itemStartNext.ts';

export interface ThrottleSlot {
  orgId: string;
  kind: string;
}

/**
 * Locks the slot rows of `slots` (made when missing) and reads them: their next slots by
 * `throttleKey`, in ms by the database's clock, and that clock now. A slot missing from the
 * answer is held by another transaction (only without `wait`).
 */
export async function throttleSlotsLock(
  trx: Db,
  slots: ThrottleSlot[],
  wait: boolean,
  /** The database's time, when the caller has read it already (the claim). */
  knownNowMs?: number,
): Promise<{ nowMs: number; next: Map<string, number> }> {
  const driver = driverOf(trx);
  // Sorted, so transactions that wait take rows in one order.
  const sorted = [...slots].sort((a, b) => (throttleKey(a.orgId, a.kind) < throttleKey(b.orgId, b.kind) ? -1 : 1));
  const read = () =>
    driver
      .rowLock(
        trx
          .selectFrom('throttle_slots')
          .select(['org_id', 'kind', 'next_slot_ms'])
          .where((eb) => eb.or(sorted.map((s) => eb.and([eb('org_id', '=', s.orgId), eb('kind', '=', s.kind)]))))
          .orderBy('org_id')
          .orderBy('kind'),
        wait,
      )
      .execute();
  let rows = await read();
  if (rows.length < sorted.length) {
    const found = new Set(rows.map((r) => throttleKey(r.org_id, r.kind)));
    const missing = sorted.filter((s) => !found.has(throttleKey(s.orgId, s.kind)));
    await trx
      .insertInto('throttle_slots')
      .values(missing.map((s) => ({ org_id: s.orgId, kind: s.kind, next_slot_ms: 0 })))
      .onConflict((oc) => oc.columns(['org_id', 'kind']).doNothing())
      .execute();
    rows = await read();
  }
  const nowMs = knownNowMs ?? Date.parse((await sql<{ now: string }>`select ${driver.now()} as now`.execute(trx)).rows[0]!.now);
  return { nowMs, next: new Map(rows.map((r) => [throttleKey(r.org_id, r.kind), Number(r.next_slot_ms)])) };
}

/** The slots' next times as they stand, unlocked (for views), and the database's time. */
export async function throttleSlotsRead(db: Db, slots: ThrottleSlot[]): Promise<{ nowMs: number; next: Map<string, number> }> {
  const rows = await db
    .selectFrom('throttle_slots')
    .select(['org_id', 'kind', 'next_slot_ms', driverOf(db).now().as('now')])
    .where((eb) => eb.or(slots.map((s) => eb.and([eb('org_id', '=', s.orgId), eb('kind', '=', s.kind)]))))
    .execute();
  const nowMs = rows[0] ? Date.parse(rows[0].now) : Date.now();
  return { nowMs, next: new Map(rows.map((r) => [throttleKey(r.org_id, r.kind), Number(r.next_slot_ms)])) };
}

/** Writes the slots moved on by starts (`next` by `throttleKey`), in the transaction that locked them. */
export async function throttleSlotsSet(trx: Db, moved: { slot: ThrottleSlot; nextSlotMs: number }[]): Promise<void> {
  for (const { slot, nextSlotMs } of moved) {
    await trx.updateTable('throttle_slots').set({ next_slot_ms: nextSlotMs }).where('org_id', '=', slot.orgId).where('kind', '=', slot.kind).execute();
  }
}

/** A held job whose next item may start: its ID, organisation and kind. */
export interface StartingJob {
  id: string;
  org_id: string;
  kind: string;
}

/**
 * Starts the next items of held jobs with `start` (`itemsStartIfAvailable`), but of each
 * throttled organisation and kind only as many as its slots allow now: one, the first in `jobs`'
 * order. `held`: the jobs left without a start by a throttle, with the time their slot comes (ISO
 * 8601, the database's clock), or null when its row was busy (without `wait`).
 */
export async function itemsStartThrottled(
  trx: Db,
  jobs: StartingJob[],
  throttles: ThrottleLimits | undefined,
  wait: boolean,
  start: (jobIds: string[]) => Promise<StartedItem[]>,
): Promise<{ started: StartedItem[]; held: Map<string, string | null> }> {
  const held = new Map<string, string | null>();
  if (!throttles || jobs.length === 0 || !(await throttles.any(trx))) return { started: await start(jobs.map((j) => j.id)), held };
  const limited = new Map<string, { slot: ThrottleSlot; limit: ThrottleLimit; jobs: StartingJob[] }>();
  const free: string[] = [];
  for (const job of jobs) {
    const limit = throttles.limitFor(job.org_id, job.kind);
    if (!limit) {
      free.push(job.id);
      continue;
    }
    const key = throttleKey(job.org_id, job.kind);
    const entry = limited.get(key) ?? { slot: { orgId: job.org_id, kind: job.kind }, limit, jobs: [] };
    entry.jobs.push(job);
    limited.set(key, entry);
  }
  if (limited.size === 0) return { started: await start(free), held };
  const { nowMs, next } = await throttleSlotsLock(
    trx,
    [...limited.values()].map((e) => e.slot),
    wait,
  );
  const allowed = new Map<string, string>(); // job ID → its slot's key
  for (const [key, entry] of limited) {
    const at = next.get(key);
    const open = at !== undefined && throttleOpen(at, nowMs);
    entry.jobs.forEach((job, i) => (open && i === 0 ? allowed.set(job.id, key) : held.set(job.id, at === undefined ? null : '')));
  }
  const started = await start([...free, ...allowed.keys()]);
  const startedBy = new Map<string, number>();
  for (const item of started) {
    const key = allowed.get(item.job_id);
    if (key !== undefined) startedBy.set(key, (startedBy.get(key) ?? 0) + 1);
  }
  const moved: { slot: ThrottleSlot; nextSlotMs: number }[] = [];
  for (const [key, entry] of limited) {
    const at = next.get(key);
    if (at === undefined) continue;
    const starts = startedBy.get(key) ?? 0;
    const nextSlotMs = starts > 0 ? throttleAdvance(entry.limit, at, nowMs, starts) : at;
    if (starts > 0) moved.push({ slot: entry.slot, nextSlotMs });
    const when = new Date(Math.ceil(nextSlotMs)).toISOString();
    for (const job of entry.jobs) if (held.get(job.id) === '') held.set(job.id, when);
  }
  await throttleSlotsSet(trx, moved);
  return { started, held };
}
