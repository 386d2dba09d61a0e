import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  creditsBalance,
  creditsCharge,
  creditsChargeMany,
  creditsGrant,
  creditsLedgerPage,
  creditsRecount,
  creditsReleaseMany,
  creditsReserve,
  creditsReserveMany,
  creditsReservedFor,
} from '../../src/store/ledger.ts';
import type { Store } from '../../src/store/database.ts';
import { orgCreate, type Organisation } from '../../src/store/orgs.ts';
import { testStore } from '../helpers/testServer.ts';

let store: Store;
let databaseUrl: string;
let drop: () => Promise<void>;
let org: Organisation;

beforeEach(async () => {
  ({ store, databaseUrl, drop } = await testStore());
  org = await orgCreate(store.db, 'acme');
});
afterEach(async () => {
  await store.close();
  await drop();
});

describe('credit ledger', () => {
  it('reserves, charges per item, and releases the rest', async () => {
    await creditsGrant(store.db, org.id, 10);
    await creditsReserve(store.db, org.id, 'job_1', 4);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 6, reserved: 4 });

    expect(await creditsCharge(store.db, org.id, 'job_1', 'item-a', 1)).toBe(true);
    expect(await creditsCharge(store.db, org.id, 'job_1', 'item-b', 1)).toBe(true);
    // The same item again changes nothing.
    expect(await creditsCharge(store.db, org.id, 'job_1', 'item-a', 1)).toBe(false);
    expect(await creditsReservedFor(store.db, 'job_1')).toBe(2);

    await creditsReleaseMany(store.db, [{ orgId: org.id, ref: 'job_1', amount: 2 }]);
    expect(await creditsReservedFor(store.db, 'job_1')).toBe(0);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 8, reserved: 0 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 8, reserved: 0 });
    // Charged before, with nothing reserved any more: still a no-op, not an error.
    expect(await creditsCharge(store.db, org.id, 'job_1', 'item-b', 1)).toBe(false);
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 8, reserved: 0 });

    const { entries, total } = await creditsLedgerPage(store.db, org.id, { limit: 50, offset: 0 });
    expect(total).toBe(5);
    expect(entries.map((e) => e.kind)).toEqual(['release', 'charge', 'charge', 'reserve', 'grant']);
  });

  it('charges many items at once with the answers one at a time would give', async () => {
    const other = await orgCreate(store.db, 'globex');
    await creditsGrant(store.db, org.id, 10);
    await creditsGrant(store.db, other.id, 10);
    await creditsReserve(store.db, org.id, 'job_a', 3);
    await creditsReserve(store.db, org.id, 'job_b', 2);
    await creditsReserve(store.db, other.id, 'job_c', 4);
    expect(await creditsCharge(store.db, org.id, 'job_a', 'x', 1)).toBe(true);

    const answers = await creditsChargeMany(store.db, [
      { orgId: other.id, ref: 'job_c', itemRef: 'x', amount: 2 },
      { orgId: org.id, ref: 'job_a', itemRef: 'x', amount: 1 }, // charged before
      { orgId: org.id, ref: 'job_a', itemRef: 'y', amount: 1 },
      { orgId: org.id, ref: 'job_b', itemRef: 'x', amount: 2 },
    ]);
    expect(answers).toEqual([true, false, true, true]);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 5, reserved: 1 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 5, reserved: 1 });
    expect(await creditsBalance(store.db, other.id)).toEqual({ available: 6, reserved: 2 });
    expect(await creditsReservedFor(store.db, 'job_a')).toBe(1);
    expect(await creditsReservedFor(store.db, 'job_b')).toBe(0);

    // Every one charged before, with less reserved than their sum: still no-ops, not an error.
    await creditsReleaseMany(store.db, [{ orgId: org.id, ref: 'job_a', amount: 1 }]);
    expect(
      await creditsChargeMany(store.db, [
        { orgId: org.id, ref: 'job_a', itemRef: 'x', amount: 1 },
        { orgId: org.id, ref: 'job_a', itemRef: 'y', amount: 1 },
      ]),
    ).toEqual([false, false]);
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 6, reserved: 0 });
  });

  it('refuses many charges that overdraw one reservation, even when the account has enough reserved, and changes nothing', async () => {
    await creditsGrant(store.db, org.id, 10);
    await creditsReserve(store.db, org.id, 'job_small', 1);
    await creditsReserve(store.db, org.id, 'job_large', 5);
    await expect(
      creditsChargeMany(store.db, [
        { orgId: org.id, ref: 'job_small', itemRef: 'a', amount: 1 },
        { orgId: org.id, ref: 'job_small', itemRef: 'b', amount: 1 },
      ]),
    ).rejects.toThrow(/exceed its reservation/);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 4, reserved: 6 });
    expect(await creditsReservedFor(store.db, 'job_small')).toBe(1);
  });

  it('refuses a reservation above the balance with insufficient_credits and changes nothing', async () => {
    await creditsGrant(store.db, org.id, 3);
    await expect(creditsReserve(store.db, org.id, 'job_big', 4)).rejects.toMatchObject({ code: 'insufficient_credits', needed: 4, available: 3 });
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 3, reserved: 0 });
    expect((await creditsLedgerPage(store.db, org.id, { limit: 50, offset: 0 })).total).toBe(1);
  });

  it('never charges more than was reserved', async () => {
    await creditsGrant(store.db, org.id, 5);
    await creditsReserve(store.db, org.id, 'job_2', 1);
    await creditsCharge(store.db, org.id, 'job_2', 'a', 1);
    await expect(creditsCharge(store.db, org.id, 'job_2', 'b', 1)).rejects.toThrow(/exceeds its reservation/);
  });

  it('reserves and releases for many refs of many organisations at once, all or nothing', async () => {
    const other = await orgCreate(store.db, 'globex');
    await creditsGrant(store.db, org.id, 10);
    await creditsGrant(store.db, other.id, 3);
    const batch = [
      { orgId: other.id, ref: 'job_x', amount: 2 },
      { orgId: org.id, ref: 'job_y', amount: 4 },
      { orgId: other.id, ref: 'job_z', amount: 2 },
    ];
    // globex's sum (4) is more than it has: nothing is reserved, acme's part neither.
    await expect(creditsReserveMany(store.db, batch)).rejects.toMatchObject({ code: 'insufficient_credits', needed: 4, available: 3 });
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 10, reserved: 0 });
    expect((await creditsLedgerPage(store.db, other.id, { limit: 50, offset: 0 })).total).toBe(1);

    await creditsReserveMany(store.db, batch.slice(0, 2));
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 6, reserved: 4 });
    expect(await creditsBalance(store.db, other.id)).toEqual({ available: 1, reserved: 2 });
    expect(await creditsReservedFor(store.db, 'job_y')).toBe(4);

    await creditsReleaseMany(store.db, [
      { orgId: org.id, ref: 'job_y', amount: 3 },
      { orgId: other.id, ref: 'job_x', amount: 2 },
      { orgId: org.id, ref: 'job_w', amount: 0 }, // nothing left: no entry
    ]);
    expect(await creditsReservedFor(store.db, 'job_y')).toBe(1);
    for (const o of [org, other]) expect(await creditsRecount(store.db, o.id)).toEqual(await creditsBalance(store.db, o.id));
    expect(await creditsBalance(store.db, other.id)).toEqual({ available: 3, reserved: 0 });
    expect((await creditsLedgerPage(store.db, org.id, { limit: 50, offset: 0 })).entries.map((e) => e.kind)).toEqual(['release', 'reserve', 'grant']);
  });

  it('rolls a reservation back with the transaction it is part of', async () => {
    await creditsGrant(store.db, org.id, 5);
    await expect(
      store.db.transaction().execute(async (trx) => {
        await creditsReserve(trx, org.id, 'job_3', 2);
        throw new Error('the rest of the submission failed');
      }),
    ).rejects.toThrow('the rest of the submission failed');
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 5, reserved: 0 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 5, reserved: 0 });
  });

  it('lets exactly 10 of 50 parallel reservations of 1 through against a balance of 10', async () => {
    await creditsGrant(store.db, org.id, 10);
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => creditsReserve(store.db, org.id, `job_p${i}`, 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 0, reserved: 10 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 0, reserved: 10 });
  });

  it('never overdraws when four processes reserve at once on one database', async () => {
    await creditsGrant(store.db, org.id, 10);
    const fixture = path.resolve(import.meta.dirname, '../fixtures/reserveMany.ts');
    const runs = Array.from(
      { length: 4 },
      (_, p) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', fixture, databaseUrl, org.id, `proc${p}`, '15'], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited ${code}`))));
        }),
    );
    const succeeded = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
    expect(succeeded).toBe(10);
    expect(await creditsBalance(store.db, org.id)).toEqual({ available: 0, reserved: 10 });
    expect(await creditsRecount(store.db, org.id)).toEqual({ available: 0, reserved: 10 });
  });
});
