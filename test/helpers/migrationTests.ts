/**
 * What the migration tests share: a store on a fresh database that they migrate step by step
 * themselves (closed and dropped after each test), and a `jobs` row as the table stood before
 * 0019 added `trace_context`, with every column given.
 */
import { Migrator } from 'kysely';
import { afterEach } from 'vitest';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import type { JobsTable } from '../../src/store/schema.ts';
import { freshTestDatabase, type TestDatabase } from './testDatabase.ts';

export interface MigrationTestStore {
  store: Store;
  migrator: Migrator;
}

/** Registers the cleanup; call at the top of a test file, then `open()` in each test. */
export function migrationTestStores(): { open(): Promise<MigrationTestStore> } {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    store = undefined;
    database = undefined;
  });
  return {
    async open() {
      database = await freshTestDatabase();
      store = openStore(database.url, 2);
      const db = store.db;
      return { store, migrator: new Migrator({ db, provider: { getMigrations: async () => migrations } }) };
    },
  };
}

type LegacyJobRow = Omit<JobsTable, 'trace_context'>;

/** A queued job of kind `sleep` created at `at`, with `overrides` applied. */
export function legacyJobRow(id: string, orgId: string, at: string, overrides: Partial<LegacyJobRow> = {}): LegacyJobRow {
  return {
    id,
    org_id: orgId,
    kind: 'sleep',
    status: 'queued',
    input: '{}',
    output: null,
    error_code: null,
    error_message: null,
    priority: 0,
    attempts: 0,
    run_at: at,
    available_at: null,
    lease_owner: null,
    lease_expires_at: null,
    items_total: 0,
    items_succeeded: 0,
    items_failed: 0,
    credits_reserved: 0,
    credits_charged: 0,
    last_event_seq: 0,
    progress: null,
    queue: null,
    created_at: at,
    started_at: null,
    completed_at: null,
    updated_at: at,
    ...overrides,
  };
}
