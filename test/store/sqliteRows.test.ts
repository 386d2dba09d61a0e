/**
 * SQLite rows built from raw arrays (src/store/sqliteRows.ts): the objects have the keys, the
 * order and the values better-sqlite3's own objects have, for every kind of value SQLite returns.
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/store/sqliteRows.ts';

describe('SQLite rows from raw arrays', () => {
  let db: BetterSqlite3.Database;
  beforeEach(() => {
    db = new BetterSqlite3(':memory:');
    db.exec(`create table t (id text primary key, n integer, r real, b blob, j text, z text)`);
    db.prepare(`insert into t values (?, ?, ?, ?, ?, ?)`).run('a', 7, 1.5, Buffer.from([1, 2]), '{"x":1}', null);
    db.prepare(`insert into t values (?, ?, ?, ?, ?, ?)`).run('b', -2, 0, null, 'ü "quoted"', 'z');
  });
  afterEach(() => db.close());

  /** What better-sqlite3 returns for the same SQL, as objects. */
  const native = (sqlText: string, parameters: unknown[] = []) => db.prepare(sqlText).all(parameters);

  it('returns the same objects as better-sqlite3, key order included', () => {
    const sqlText = 'select id, n, r, b, j, z from t order by id';
    const rows = rowsOf(db.prepare(sqlText)).all([]);
    expect(rows).toEqual(native(sqlText));
    expect(rows.map(Object.keys)).toEqual(native(sqlText).map((row) => Object.keys(row as object)));
    expect(rows[0]!.b).toBeInstanceOf(Buffer);
  });

  it('binds parameters and reads an update … returning', () => {
    const rows = rowsOf(db.prepare(`update t set n = n + ? where id = ? returning id, n`)).all([10, 'a']);
    expect(rows).toEqual([{ id: 'a', n: 17 }]);
    expect(native('select n from t where id = ?', ['a'])).toEqual([{ n: 17 }]);
  });

  it('keeps the last value of a name returned twice, as better-sqlite3 does', () => {
    const sqlText = `select 1 as x, 2 as x, 'q' as "it's ""odd"""`;
    expect(rowsOf(db.prepare(sqlText)).all([])).toEqual(native(sqlText));
    expect(rowsOf(db.prepare(sqlText)).all([])[0]).toEqual({ x: 2, [`it's "odd"`]: 'q' });
  });

  it('reads a column named __proto__ as better-sqlite3 does, never as a prototype', () => {
    const sqlText = `select 5 as "__proto__", 'v' as other`;
    const rows = rowsOf(db.prepare(sqlText)).all([]);
    expect(rows).toEqual(native(sqlText));
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(rows[0]!.other).toBe('v');
  });

  it('builds new objects from kept arrays for each caller', () => {
    const reader = rowsOf(db.prepare('select id, n from t order by id'));
    const kept = reader.arrays([]);
    const first = reader.objects(kept);
    first[0]!.n = 99;
    expect(reader.objects(kept)).toEqual([
      { id: 'a', n: 7 },
      { id: 'b', n: -2 },
    ]);
    expect(reader.objects(kept)[0]).not.toBe(reader.objects(kept)[0]);
  });

  it('returns no rows as an empty list', () => {
    expect(rowsOf(db.prepare(`select id from t where id = ?`)).all(['none'])).toEqual([]);
  });
});
