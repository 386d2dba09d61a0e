/**
 * The SQLite read snapshot (src/store/sqliteReadSnapshot.ts): reads outside a transaction share
 * one read transaction for the rest of the event loop's turn, this process's writes are seen at
 * once, another process's from the next turn, and nothing is held once the turn is over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { apiKeyFindById, apiKeyRevokeIfActive } from '../../src/store/apiKeys.ts';
import { orgCreate } from '../../src/store/orgs.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite read snapshot', () => {
  let dir: string;
  let store: Store;
  /** Another process's connection, as far as SQLite can tell. */
  let other: BetterSqlite3.Database;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longrun-snapshot-'));
    const file = path.join(dir, 'longrun.db');
    store = openStore(`sqlite:${file}`);
    await migrateToLatest(store.db);
    other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 5000');
  });
  afterEach(async () => {
    other.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const orgNames = async (db = store.db) => (await db.selectFrom('organisations').select('name').orderBy('name').execute()).map((o) => o.name);
  const otherAddsOrg = (name: string) =>
    other.prepare(`insert into organisations (id, name, created_at) values (?, ?, ?)`).run(`org_${name}`, name, new Date().toISOString());

  it("shows another connection's commit from the next turn, not within the turn that read before it", async () => {
    expect(await orgNames()).toEqual([]);
    otherAddsOrg('elsewhere');
    expect(await orgNames()).toEqual([]);
    await nextTurn();
    expect(await orgNames()).toEqual(['elsewhere']);
  });

  it("shows this connection's own writes at once, in and out of transactions", async () => {
    expect(await orgNames()).toEqual([]);
    otherAddsOrg('elsewhere');
    await orgCreate(store.db, 'here');
    // The write ended the snapshot, so the read after it sees both commits.
    expect(await orgNames()).toEqual(['elsewhere', 'here']);
    await store.db.transaction().execute(async (trx) => {
      await orgCreate(trx, 'inside');
      expect(await orgNames(trx)).toEqual(['elsewhere', 'here', 'inside']);
    });
    expect(await orgNames()).toEqual(['elsewhere', 'here', 'inside']);
    const returned = await sql<{ name: string }>`insert into organisations (id, name, created_at) values ('org_r', 'returned', '') returning name`.execute(
      store.db,
    );
    expect(returned.rows).toEqual([{ name: 'returned' }]);
    expect(await orgNames()).toContain('returned');
  });

  it('holds nothing once the turn is over: another connection checkpoints the whole WAL', async () => {
    await orgCreate(store.db, 'here');
    expect(await orgNames()).toEqual(['here']);
    other.pragma('busy_timeout = 0');
    expect(other.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 1, log: expect.any(Number), checkpointed: expect.any(Number) }]);
    await nextTurn();
    expect(other.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
  });

  it('lets another connection write while a snapshot is open, and a transaction begin after one', async () => {
    expect(await orgNames()).toEqual([]);
    otherAddsOrg('elsewhere');
    await store.db.transaction().execute(async (trx) => {
      expect(await orgNames(trx)).toEqual(['elsewhere']);
      await orgCreate(trx, 'here');
    });
    expect(await orgNames()).toEqual(['elsewhere', 'here']);
  });

  it('runs a compiled-once read outside the queue only while no transaction holds the connection', async () => {
    const org = await orgCreate(store.db, 'here');
    let readOutside: Promise<unknown> | undefined;
    await expect(
      store.db.transaction().execute(async (trx) => {
        const { row } = await apiKeyCreate(trx, { orgId: org.id });
        // Issued while the transaction holds the connection: it must wait, not read its rows.
        // SQLite runs in this process, so a read that did not wait would have ended within a
        // few turns of the event loop, however loaded the machine.
        readOutside = apiKeyFindById(store.db, row.id);
        let settled = false;
        void readOutside.finally(() => (settled = true));
        for (let turn = 0; turn < 3; turn++) await nextTurn();
        expect(settled, 'the read waited for the transaction').toBe(false);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await readOutside).toBeUndefined();
    const { row } = await apiKeyCreate(store.db, { orgId: org.id });
    expect((await apiKeyFindById(store.db, row.id))?.id).toBe(row.id);
  });

  it('answers a compiled-once read once per snapshot, each caller with its own copy, and afresh after a write', async () => {
    const org = await orgCreate(store.db, 'here');
    const { row } = await apiKeyCreate(store.db, { orgId: org.id });
    await nextTurn();
    const first = await apiKeyFindById(store.db, row.id);
    other.prepare('update api_keys set name = ? where id = ?').run('renamed elsewhere', row.id);
    const second = await apiKeyFindById(store.db, row.id);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    first!.name = 'changed by its caller';
    expect((await apiKeyFindById(store.db, row.id))?.name).toBe('default');
    // A write through this connection ends the snapshot: the next read sees both changes.
    await apiKeyRevokeIfActive(store.db, row.id, new Date().toISOString());
    const afterWrite = await apiKeyFindById(store.db, row.id);
    expect(afterWrite?.revoked_at).not.toBeNull();
    expect(afterWrite?.name).toBe('renamed elsewhere');
  });
});
