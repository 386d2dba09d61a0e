/**
 * Migration 0016 (PostgreSQL: times as timestamptz): an existing database's times are converted,
 * and read back exactly as written (ISO 8601, milliseconds, Z: the pool's type parser); down
 * turns them back into the same text. SQLite keeps text, untouched.
 */
import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { TIME_COLUMNS } from '../../src/store/migrations/0016_timestamptz.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { freshTestDatabase, testBackend, type TestDatabase } from '../helpers/testDatabase.ts';

let database: TestDatabase | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  await database?.drop();
});

const created = '2026-01-01T00:00:00.000Z';
const leased = '2026-01-01T00:05:00.123Z';

describe('migration 0016_timestamptz', () => {
  it('converts every time column on PostgreSQL, keeps each value as written, and goes down and up again', async () => {
    database = await freshTestDatabase();
    store = openStore(database.url, 2);
    const db = store.db;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0014_items_canceled')).error).toBeUndefined();

    const org = await orgCreate(db, 'acme');
    await db
      .insertInto('jobs')
      .values({
        id: 'job_1',
        org_id: org.id,
        kind: 'sleep',
        status: 'running',
        input: '{}',
        output: null,
        error_code: null,
        error_message: null,
        priority: 0,
        attempts: 1,
        run_at: created,
        available_at: leased,
        lease_owner: 'worker',
        lease_expires_at: leased,
        items_total: 0,
        items_succeeded: 0,
        items_failed: 0,
        credits_reserved: 0,
        credits_charged: 0,
        last_event_seq: 1,
        progress: null,
        queue: null,
        created_at: created,
        started_at: created,
        completed_at: null,
        updated_at: created,
      })
      .execute();
    const times = () => db.selectFrom('jobs').select(['run_at', 'available_at', 'lease_expires_at', 'created_at', 'completed_at']).executeTakeFirstOrThrow();
    const asWritten = { run_at: created, available_at: leased, lease_expires_at: leased, created_at: created, completed_at: null };
    const typeOf = async (table: string, column: string) =>
      testBackend() === 'postgres'
        ? (
            await sql<{ data_type: string }>`select data_type from information_schema.columns where table_name = ${table} and column_name = ${column}`.execute(
              db,
            )
          ).rows[0]?.data_type
        : 'text';

    expect((await migrator.migrateTo('0016_timestamptz')).error).toBeUndefined();
    expect(await times()).toEqual(asWritten);
    const converted = testBackend() === 'postgres' ? 'timestamp with time zone' : 'text';
    for (const [table, columns] of Object.entries(TIME_COLUMNS))
      for (const column of columns) expect(await typeOf(table, column), `${table}.${column}`).toBe(converted);
    // Compared with the ISO strings the code passes, as before.
    expect(
      await db.selectFrom('jobs').select('id').where('available_at', '>', created).where('available_at', '<', '2100-01-01T00:00:00.000Z').execute(),
    ).toEqual([{ id: 'job_1' }]);

    expect((await migrator.migrateTo('0014_items_canceled')).error).toBeUndefined();
    expect(await typeOf('jobs', 'lease_expires_at')).toBe('text');
    expect(await times()).toEqual(asWritten);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await times()).toEqual(asWritten);
  });
});
