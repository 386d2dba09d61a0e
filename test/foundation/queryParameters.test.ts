/**
 * The two ways values reach a statement without changing its text: rows as one parameter
 * (`rowsTable`, `idsMatch`) and a query compiled once (`compiledOnce`). Each must give back exactly
 * what it was given, whatever the characters, on each database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/store/compiledOnce.ts';
import type { Db, Store } from '../../src/store/database.ts';
import { idsMatch, rowsTable } from '../../src/store/dialect.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { testStore } from '../helpers/testServer.ts';

const AWKWARD = [
  'plain',
  "it's",
  'a "quoted" word',
  'back\\slash',
  'comma, {brace}',
  'new\nline',
  'tab\there',
  'Zürich 東京 🚀',
  '',
  'NULL',
  '[1,2]',
  '{"json": true}',
];

describe('values as parameters', () => {
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ store, drop } = await testStore());
  });
  afterAll(async () => {
    await store.close();
    await drop();
  });

  it('rowsTable gives back every row as given: awkward text, nulls, numbers, in order of a column', async () => {
    const rows = AWKWARD.map((text, i) => ({ n: i, text, maybe: i % 3 === 0 ? null : `v${i}`, big: i * 1_000_003 }));
    const table = rowsTable(store.db, { n: 'integer', text: 'text', maybe: 'text', big: 'integer' }, rows);
    const back = await store.db.selectFrom(table.as('r')).selectAll().orderBy('r.n').execute();
    expect(back).toEqual(rows);
  });

  it('rowsTable of no rows is an empty table, and of 5,000 rows is all of them', async () => {
    const none = await store.db
      .selectFrom(rowsTable<{ id: string }>(store.db, { id: 'text' }, []).as('r'))
      .selectAll()
      .execute();
    expect(none).toEqual([]);
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: `id-${i}` }));
    const back = await store.db
      .selectFrom(rowsTable(store.db, { id: 'text' }, many).as('r'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(back.n)).toBe(5000);
  });

  it('idsMatch matches exactly the IDs given, awkward ones too', async () => {
    const orgs = [];
    for (const name of ["q's", 'x "y"', 'plain-ids-in']) orgs.push(await orgCreate(store.db, name));
    const wanted = [orgs[0]!.id, orgs[1]!.id, "not an id's"];
    const found = await store.db
      .selectFrom('organisations')
      .select('name')
      .where(idsMatch(store.db, 'id', wanted))
      .orderBy('name')
      .execute();
    expect(found.map((o) => o.name)).toEqual(["q's", 'x "y"'].sort());
    expect(
      await store.db
        .selectFrom('organisations')
        .select('id')
        .where(idsMatch(store.db, 'id', []))
        .execute(),
    ).toEqual([]);
  });

  it('compiledOnce runs the query with each call’s values, in a transaction too', async () => {
    const byName = compiledOnce((db: Db, name: string) => db.selectFrom('organisations').select(['id', 'name']).where('name', '=', name));
    for (const name of AWKWARD.slice(1, 8)) await orgCreate(store.db, `once ${name}`);
    for (const name of AWKWARD.slice(1, 8)) {
      const rows = await byName(store.db, `once ${name}`);
      expect(rows.map((r) => r.name)).toEqual([`once ${name}`]);
    }
    expect(await byName(store.db, 'nobody')).toEqual([]);
    const inside = await store.db.transaction().execute(async (trx) => {
      await orgCreate(trx, 'once in a transaction');
      return byName(trx, 'once in a transaction');
    });
    expect(inside.map((r) => r.name)).toEqual(['once in a transaction']);
  });

  it('compiledOnce refuses a query that does not pass an argument as a parameter', async () => {
    const broken = compiledOnce((db: Db, name: string) => db.selectFrom('organisations').select('id').where('name', '=', name.toUpperCase()));
    await expect(broken(store.db, 'x')).rejects.toThrow(/not one of its parameters/);
  });
});
