/**
 * The credit ledger: an append-only list of grants, reservations, charges and releases per
 * organisation, and the account row that holds its running totals.
 *
 * Guarantees:
 * - The balance never goes below zero, also under concurrent requests and across processes:
 *   a reservation is one conditional UPDATE (`available >= amount`), which SQLite runs under
 *   its write lock and PostgreSQL re-checks after waiting on the row lock; a CHECK constraint
 *   backs it up.
 * - Every change to the account writes its ledger entry in the same transaction, so the totals
 *   can always be re-derived from the ledger (`creditsRecount`).
 * - One charge per (ref, itemRef), ever: charging an item twice is a no-op that returns false.
 *
 * Work is paid in two steps: `reserve` when it is submitted, then per finished item `charge`
 * (reserved → spent) and, when the work ends, `creditsReleaseMany` of what is left (reserved → available).
 */
import { sql } from 'kysely';
import { newId, nowIso } from '../ids.ts';
import { inTransaction, type Db } from './database.ts';
import type { LedgerEntryKind } from './schema.ts';

export interface Balance {
  available: number;
  reserved: number;
}

export interface LedgerEntry {
  id: string;
  kind: LedgerEntryKind;
  amount: number;
  ref: string | null;
  itemRef: string | null;
  note: string | null;
  createdAt: string;
}

/** A ledger bug, not a user error: e.g. charging more than was reserved. */
export class LedgerError extends Error {
  override name = 'LedgerError';
}

function assertPositiveInteger(amount: number): void {
  if (!Number.isInteger(amount) || amount <= 0) throw new LedgerError(`amount must be a positive integer, got ${amount}`);
}

export async function creditsGrant(db: Db, orgId: string, amount: number, note?: string): Promise<Balance> {
  assertPositiveInteger(amount);
  return inTransaction(db, async (trx) => {
    const at = nowIso();
    const result = await trx
      .updateTable('credit_accounts')
      .set((eb) => ({ available: eb('available', '+', amount), updated_at: at }))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new LedgerError(`no credit account for organisation ${orgId}`);
    await appendMany(trx, 'grant', [{ orgId, amount, note }], at);
    return creditsBalance(trx, orgId);
  });
}

/**
 * The balance is lower than a reservation: the store's own error (it knows nothing of HTTP),
 * which the API answers as `insufficient_credits` (402).
 */
export class InsufficientCreditsError extends Error {
  override name = 'InsufficientCreditsError';
  readonly code = 'insufficient_credits';
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(`Not enough credits: this request needs ${needed}, the balance is ${available}.`);
  }
}

/** Sets `amount` aside for `ref`; throws `InsufficientCreditsError` when the balance is too low. */
export async function creditsReserve(db: Db, orgId: string, ref: string, amount: number): Promise<void> {
  await creditsReserveMany(db, [{ orgId, ref, amount }]);
}

export interface RefAmount {
  orgId: string;
  ref: string;
  amount: number;
}

/**
 * Sets each amount aside for its ref (a batch of submissions): per organisation, in
 * organisation order (the order charges take accounts), one conditional update of its sum, then
 * one ledger insert of every entry. All or nothing: one organisation short throws
 * `InsufficientCreditsError` for its sum, and the caller's transaction writes none of it.
 */
export async function creditsReserveMany(db: Db, reservations: RefAmount[]): Promise<void> {
  for (const r of reservations) assertPositiveInteger(r.amount);
  await inTransaction(db, async (trx) => {
    const at = nowIso();
    for (const [orgId, amount] of sumsByOrg(reservations)) {
      const result = await trx
        .updateTable('credit_accounts')
        .set((eb) => ({ available: eb('available', '-', amount), reserved: eb('reserved', '+', amount), updated_at: at }))
        .where('org_id', '=', orgId)
        .where('available', '>=', amount)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        const { available } = await creditsBalance(trx, orgId);
        throw new InsufficientCreditsError(amount, available);
      }
    }
    await appendMany(trx, 'reserve', reservations, at);
  });
}

/**
 * Gives each amount back from its ref's reservation to the available balance (the ends of a
 * group of jobs: what each reserved less what it was charged, from its own row). Per
 * organisation, in organisation order, one account update; then one ledger insert of every entry.
 * The caller releases a ref once, when its work ends; the account's CHECK refuses a release of
 * more than is reserved.
 */
export async function creditsReleaseMany(db: Db, releases: RefAmount[]): Promise<void> {
  const giving = releases.filter((r) => r.amount > 0);
  if (giving.length === 0) return;
  await inTransaction(db, async (trx) => {
    const at = nowIso();
    for (const [orgId, amount] of sumsByOrg(giving)) {
      await trx
        .updateTable('credit_accounts')
        .set((eb) => ({ available: eb('available', '+', amount), reserved: eb('reserved', '-', amount), updated_at: at }))
        .where('org_id', '=', orgId)
        .execute();
    }
    await appendMany(trx, 'release', giving, at);
  });
}

/** The amounts summed per organisation, in organisation order. */
function sumsByOrg(entries: RefAmount[]): [string, number][] {
  const sums = new Map<string, number>();
  for (const e of entries) sums.set(e.orgId, (sums.get(e.orgId) ?? 0) + e.amount);
  return [...sums].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Ledger rows per INSERT: 8 parameters each, well under either database's limit per statement. */
const LEDGER_ROWS_PER_INSERT = 1000;

async function appendMany(
  trx: Db,
  kind: LedgerEntryKind,
  entries: { orgId: string; amount: number; ref?: string; note?: string }[],
  at: string,
): Promise<void> {
  const rows = entries.map((e) => ({
    id: newId('led'),
    org_id: e.orgId,
    kind,
    amount: e.amount,
    ref: e.ref ?? null,
    item_ref: null,
    note: e.note ?? null,
    created_at: at,
  }));
  for (let i = 0; i < rows.length; i += LEDGER_ROWS_PER_INSERT) {
    await trx
      .insertInto('credit_ledger')
      .values(rows.slice(i, i + LEDGER_ROWS_PER_INSERT))
      .execute();
  }
}

/** What is still reserved for a ref, summed over its ledger entries: reserved, less charged, less released. */
const REMAINING = sql<number>`sum(case when kind = 'reserve' then amount else -amount end)`;

/** What is still reserved for `ref`: reserved, less charged, less released. */
export async function creditsReservedFor(db: Db, ref: string): Promise<number> {
  const row = await db
    .selectFrom('credit_ledger')
    .select(sql<number>`coalesce(${REMAINING}, 0)`.as('remaining'))
    .where('ref', '=', ref)
    .where('kind', 'in', ['reserve', 'charge', 'release'])
    .executeTakeFirstOrThrow();
  return Number(row.remaining);
}

/**
 * Spends `amount` of the reservation for `ref` on one item. Returns false, changing nothing,
 * when that item was charged before. (`creditsChargeMany` of one item.)
 */
export async function creditsCharge(db: Db, orgId: string, ref: string, itemRef: string, amount: number): Promise<boolean> {
  return (await creditsChargeMany(db, [{ orgId, ref, itemRef, amount }]))[0]!;
}

export interface ItemCharge {
  orgId: string;
  ref: string;
  itemRef: string;
  amount: number;
}

/**
 * Charges many items at once (a group of checkpoints); for each, false when it was charged
 * before. Per organisation, in organisation order (so two callers cannot deadlock on the
 * accounts), three statements: take the sum off the account's reserved total (which locks the
 * account row, so the ledger read after it cannot race another charge or release), add every
 * entry the unique index `credit_ledger_one_charge_per_item` lets in, and give back the sum of
 * those it did not. Then one statement checks every ref's reservation still covers its charges.
 * An organisation with less reserved than its sum (some were charged before and released, or a
 * bug) is charged item by item, which sorts out which.
 */
export async function creditsChargeMany(db: Db, charges: ItemCharge[]): Promise<boolean[]> {
  for (const charge of charges) assertPositiveInteger(charge.amount);
  if (charges.length === 0) return [];
  return inTransaction(db, async (trx) => {
    const at = nowIso();
    const charged: boolean[] = charges.map(() => false);
    for (const orgId of [...new Set(charges.map((c) => c.orgId))].sort()) {
      const mine = charges.flatMap((charge, i) => (charge.orgId === orgId ? [{ charge, i }] : []));
      const together = await chargeFromReserved(
        trx,
        orgId,
        mine.map(({ charge }) => charge),
        at,
      );
      if (together) {
        together.forEach((answer, k) => (charged[mine[k]!.i] = answer));
        continue;
      }
      for (const { charge, i } of mine) {
        const alone = await chargeFromReserved(trx, orgId, [charge], at);
        if (alone) charged[i] = alone[0]!;
        // Less reserved than this one item costs: a charge made before is still a no-op;
        // anything else is a ledger bug.
        else if (!(await chargedBefore(trx, charge.ref, charge.itemRef))) {
          throw new LedgerError(
            `charge of ${charge.amount} for ${charge.ref}/${charge.itemRef} exceeds its reservation (${await creditsReservedFor(trx, charge.ref)} left)`,
          );
        }
      }
    }
    const refs = [...new Set(charges.filter((_, i) => charged[i]).map((c) => c.ref))];
    if (refs.length > 0) {
      const over = await trx
        .selectFrom('credit_ledger')
        .select(['ref', REMAINING.as('remaining')])
        .where('ref', 'in', refs)
        .where('kind', 'in', ['reserve', 'charge', 'release'])
        .groupBy('ref')
        .having(REMAINING, '<', 0)
        .executeTakeFirst();
      if (over) throw new LedgerError(`charges for ${over.ref} exceed its reservation (${Number(over.remaining)} left)`);
    }
    return charged;
  });
}

/**
 * One organisation's charges, taken from its reserved total together: undefined (nothing
 * written) when less is reserved than their sum; else, for each, whether it was new.
 */
async function chargeFromReserved(trx: Db, orgId: string, charges: ItemCharge[], at: string): Promise<boolean[] | undefined> {
  const total = charges.reduce((sum, charge) => sum + charge.amount, 0);
  const taken = await trx
    .updateTable('credit_accounts')
    .set((eb) => ({ reserved: eb('reserved', '-', total), updated_at: at }))
    .where('org_id', '=', orgId)
    .where('reserved', '>=', total)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) !== 1) return undefined;
  const entries = await trx
    .insertInto('credit_ledger')
    .values(
      charges.map((c) => ({ id: newId('led'), org_id: orgId, kind: 'charge', amount: c.amount, ref: c.ref, item_ref: c.itemRef, note: null, created_at: at })),
    )
    // A literal predicate: both databases match it to the partial unique index.
    .onConflict((oc) =>
      oc
        .columns(['ref', 'item_ref'])
        .where(sql<boolean>`kind = 'charge'`)
        .doNothing(),
    )
    .returning(['ref', 'item_ref'])
    .execute();
  const added = new Set(entries.map((e) => `${e.ref} ${e.item_ref}`));
  const answers = charges.map((c) => added.has(`${c.ref} ${c.itemRef}`));
  const notAgain = charges.reduce((sum, c, k) => (answers[k] ? sum : sum + c.amount), 0);
  if (notAgain > 0)
    await trx
      .updateTable('credit_accounts')
      .set((eb) => ({ reserved: eb('reserved', '+', notAgain) }))
      .where('org_id', '=', orgId)
      .execute();
  return answers;
}

async function chargedBefore(db: Db, ref: string, itemRef: string): Promise<boolean> {
  const row = await db
    .selectFrom('credit_ledger')
    .select('id')
    .where('ref', '=', ref)
    .where('item_ref', '=', itemRef)
    .where('kind', '=', 'charge')
    .executeTakeFirst();
  return row !== undefined;
}

export async function creditsBalance(db: Db, orgId: string): Promise<Balance> {
  const row = await db.selectFrom('credit_accounts').select(['available', 'reserved']).where('org_id', '=', orgId).executeTakeFirst();
  return { available: Number(row?.available ?? 0), reserved: Number(row?.reserved ?? 0) };
}

/** The balance re-derived from the ledger alone; equals `creditsBalance` unless something is broken. */
export async function creditsRecount(db: Db, orgId: string): Promise<Balance> {
  const rows = await db
    .selectFrom('credit_ledger')
    .select(['kind', sql<number>`sum(amount)`.as('total')])
    .where('org_id', '=', orgId)
    .groupBy('kind')
    .execute();
  const total = (kind: LedgerEntryKind) => Number(rows.find((r) => r.kind === kind)?.total ?? 0);
  return {
    available: total('grant') - total('reserve') + total('release'),
    reserved: total('reserve') - total('charge') - total('release'),
  };
}

/** Newest first; with `ref`, only the entries of that job. */
export async function creditsLedgerPage(
  db: Db,
  orgId: string,
  page: { limit: number; offset: number; ref?: string },
): Promise<{ entries: LedgerEntry[]; total: number }> {
  let entries = db.selectFrom('credit_ledger').where('org_id', '=', orgId);
  if (page.ref !== undefined) entries = entries.where('ref', '=', page.ref);
  const [rows, count] = await Promise.all([
    entries.selectAll().orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    entries.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    entries: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      amount: Number(r.amount),
      ref: r.ref,
      itemRef: r.item_ref,
      note: r.note,
      createdAt: r.created_at,
    })),
    total: Number(count.n),
  };
}
