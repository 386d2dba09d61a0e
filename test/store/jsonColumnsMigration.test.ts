/**
 * Migration 0017 (PostgreSQL: JSON columns get JSON types): an existing database's JSON text is
 * converted; a `json` column gives its document back byte for byte (key order and spacing as
 * written), a `jsonb` one its values; text that is not JSON is refused from then on; down turns
 * them back into text. SQLite keeps text, untouched.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { JSON_COLUMNS, JSONB_COLUMNS } from '../../src/store/migrations/0017_json_columns.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { legacyJobRow, migrationTestStores } from '../helpers/migrationTests.ts';
import { testBackend } from '../helpers/testDatabase.ts';

const stores = migrationTestStores();

const at = '2026-01-01T00:00:00.000Z';
/** Keys out of jsonb's order (shortest first), with spacing jsonb would change. */
const input = '{"zeta":1,  "a":{"longest":[1,2],"b":"x"}}';

describe('migration 0017_json_columns', () => {
  it('types every JSON column on PostgreSQL, keeps json documents as written, refuses non-JSON, and goes down and up again', async () => {
    const { store, migrator } = await stores.open();
    const db = store.db;
    const postgres = testBackend() === 'postgres';
    expect((await migrator.migrateTo('0016_timestamptz')).error).toBeUndefined();

    const org = await orgCreate(db, 'acme');
    const job = (id: string, text: string) =>
      db
        .insertInto('jobs')
        .values(legacyJobRow(id, org.id, at, { input: text }))
        .execute();
    await job('job_1', input);
    await db
      .insertInto('api_keys')
      .values({
        id: 'key_1',
        org_id: org.id,
        name: 'k',
        secret_hash: 'h',
        scopes: '["kb:read","clips:write"]',
        rate_limit: null,
        created_at: at,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    const stored = async () => ({
      input: (await db.selectFrom('jobs').select('input').where('id', '=', 'job_1').executeTakeFirstOrThrow()).input,
      scopes: JSON.parse((await db.selectFrom('api_keys').select('scopes').executeTakeFirstOrThrow()).scopes) as string[],
    });
    const typeOf = async (table: string, column: string) =>
      postgres
        ? (
            await sql<{ data_type: string }>`select data_type from information_schema.columns where table_name = ${table} and column_name = ${column}`.execute(
              db,
            )
          ).rows[0]?.data_type
        : 'text';

    expect((await migrator.migrateTo('0017_json_columns')).error).toBeUndefined();
    expect(await stored()).toEqual({ input, scopes: ['kb:read', 'clips:write'] });
    for (const [table, columns] of Object.entries(JSON_COLUMNS))
      for (const column of columns) expect(await typeOf(table, column), `${table}.${column}`).toBe(postgres ? 'json' : 'text');
    for (const [table, columns] of Object.entries(JSONB_COLUMNS))
      for (const column of columns) expect(await typeOf(table, column), `${table}.${column}`).toBe(postgres ? 'jsonb' : 'text');
    if (postgres) await expect(job('job_2', '{"unclosed": ')).rejects.toThrow(/json/i);

    expect((await migrator.migrateTo('0016_timestamptz')).error).toBeUndefined();
    expect(await typeOf('jobs', 'input')).toBe('text');
    expect(await stored()).toEqual({ input, scopes: ['kb:read', 'clips:write'] });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await stored()).toEqual({ input, scopes: ['kb:read', 'clips:write'] });
  });
});
