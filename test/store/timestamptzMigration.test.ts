/**
 * Migration 0016 (PostgreSQL: times as timestamptz): an existing database's times are converted,
 * and read back exactly as written (ISO 8601, milliseconds, Z: the pool's type parser); down
 * turns them back into the same text. SQLite keeps text, untouched.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { TIME_COLUMNS } from '../../src/store/migrations/0016_timestamptz.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { legacyJobRow, migrationTestStores } from '../helpers/migrationTests.ts';
import { testBackend } from '../helpers/testDatabase.ts';

const stores = migrationTestStores();

const created = '2026-01-01T00:00:00.000Z';
const leased = '2026-01-01T00:05:00.123Z';

describe('migration 0016_timestamptz', () => {
  it('converts every time column on PostgreSQL, keeps each value as written, and goes down and up again', async () => {
    const { store, migrator } = await stores.open();
    const db = store.db;
    expect((await migrator.migrateTo('0014_items_canceled')).error).toBeUndefined();

    const org = await orgCreate(db, 'acme');
    await db
      .insertInto('jobs')
      .values(
        legacyJobRow('job_1', org.id, created, {
          status: 'running',
          attempts: 1,
          available_at: leased,
          lease_owner: 'worker',
          lease_expires_at: leased,
          last_event_seq: 1,
          started_at: created,
        }),
      )
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
