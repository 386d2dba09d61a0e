/**
 * The credit ledger read for people: the balance over time, and the entries grouped by the job
 * they are for (a job of 100 items has 100 charges: one row of totals reads better).
 *
 * The balance at a time is the account's balance now less what the entries after that time
 * changed, so it agrees with `creditsBalance` at the end, whatever the ledger's history.
 * Entries are found by organisation and time (`credit_ledger_org_id`, then their time): the cost
 * grows with the organisation's entries in the window.
 */
import { sql } from 'kysely';
import type { Db } from './database.ts';
import { creditsBalance } from './ledger.ts';
import { bucketOf } from './timeBuckets.ts';

export interface BalancePoint {
  start: string;
  /** The balance at the end of this bucket. */
  available: number;
  reserved: number;
  /** Added in this bucket by grants, and spent by charges. */
  granted: number;
  charged: number;
}

/** One point per bucket start (oldest first); the last bucket ends at `end`, after now. */
export async function creditsBalanceHistory(db: Db, orgId: string, starts: string[], end: string): Promise<BalancePoint[]> {
  const [now, rows] = await Promise.all([
    creditsBalance(db, orgId),
    db
      .selectFrom('credit_ledger')
      .select(['kind', bucketOf('created_at', starts).as('bucket'), sql<number>`sum(amount)`.as('total')])
      .where('org_id', '=', orgId)
      .where('created_at', '>=', starts[0]!)
      .where('created_at', '<', end)
      .groupBy(['kind', 'bucket'])
      .execute(),
  ]);
  const sums = starts.map(() => ({ grant: 0, reserve: 0, charge: 0, release: 0 }));
  for (const row of rows) {
    const bucket = sums[Number(row.bucket)];
    if (bucket && row.kind in bucket) bucket[row.kind] += Number(row.total);
  }
  // Backwards from now: before a bucket's entries, the balance was less what they changed.
  const points: BalancePoint[] = [];
  let { available, reserved } = now;
  for (let i = starts.length - 1; i >= 0; i--) {
    const s = sums[i]!;
    points.unshift({ start: starts[i]!, available, reserved, granted: s.grant, charged: s.charge });
    available -= s.grant - s.reserve + s.release;
    reserved -= s.reserve - s.charge - s.release;
  }
  return points;
}

export interface LedgerGroup {
  /** The job the entries are for; null for an entry of no job (a grant), which is its own group. */
  ref: string | null;
  granted: number;
  reserved: number;
  charged: number;
  released: number;
  /** How many items were charged. */
  items: number;
  firstAt: string;
  lastAt: string;
  note: string | null;
}

const sumOf = (kind: string) => sql<number>`coalesce(sum(case when kind = ${kind} then amount end), 0)`;

/** The ledger grouped by job, the group with the newest entry first. */
export async function creditsLedgerByJob(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ groups: LedgerGroup[]; total: number }> {
  // Entries of no job group alone, by their own ID.
  const group = sql<string>`coalesce(ref, id)`;
  const [rows, count] = await Promise.all([
    db
      .selectFrom('credit_ledger')
      .select([
        sql<string | null>`max(ref)`.as('ref'),
        sumOf('grant').as('granted'),
        sumOf('reserve').as('reserved'),
        sumOf('charge').as('charged'),
        sumOf('release').as('released'),
        sql<number>`count(case when kind = 'charge' then 1 end)`.as('items'),
        sql<string>`min(created_at)`.as('first_at'),
        sql<string>`max(created_at)`.as('last_at'),
        sql<string | null>`max(note)`.as('note'),
        sql<string>`max(id)`.as('last_id'),
      ])
      .where('org_id', '=', orgId)
      .groupBy(group)
      .orderBy('last_id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db
      .selectFrom('credit_ledger')
      .select(sql<number>`count(distinct coalesce(ref, id))`.as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    groups: rows.map((r) => ({
      ref: r.ref,
      granted: Number(r.granted),
      reserved: Number(r.reserved),
      charged: Number(r.charged),
      released: Number(r.released),
      items: Number(r.items),
      firstAt: r.first_at,
      lastAt: r.last_at,
      note: r.note,
    })),
    total: Number(count.n),
  };
}
