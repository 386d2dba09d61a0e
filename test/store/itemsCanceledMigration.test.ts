/**
 * Migration 0014 on both databases: items may be `canceled`, the items that ended jobs left
 * `pending` or `running` before it are canceled at their job's end (a running job's are not
 * touched), and down turns canceled items into failed ones with code CANCELED.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { orgCreate } from '../../src/store/orgs.ts';
import type { ItemStatus, JobStatus } from '../../src/store/schema.ts';
import { legacyJobRow, migrationTestStores } from '../helpers/migrationTests.ts';
import { testBackend } from '../helpers/testDatabase.ts';

const stores = migrationTestStores();

const at = '2026-01-01T00:00:00.000Z';
const ended = '2026-01-01T00:05:00.000Z';

describe('migration 0014_items_canceled', () => {
  it('cancels the open items of ended jobs, allows the status, and goes down and up again', async () => {
    const { store, migrator } = await stores.open();
    const db = store.db;
    expect((await migrator.migrateTo('0013_numbers_in_range')).error).toBeUndefined();

    const org = await orgCreate(db, 'acme');
    const job = async (id: string, status: JobStatus, items: [ItemStatus, string | null][]) => {
      await db
        .insertInto('jobs')
        .values(
          legacyJobRow(id, org.id, at, {
            status,
            attempts: 1,
            available_at: status === 'running' ? at : null,
            items_total: items.length,
            items_succeeded: items.filter(([s]) => s === 'succeeded').length,
            last_event_seq: 3,
            started_at: at,
            completed_at: status === 'running' ? null : ended,
          }),
        )
        .execute();
      for (const [seq, [itemStatus, error]] of items.entries()) {
        await db
          .insertInto('job_items')
          .values({
            job_id: id,
            seq,
            key: `item-${seq + 1}`,
            status: itemStatus,
            input: null,
            result: null,
            error_code: error,
            error_message: error && 'took too long',
            attempts: 1,
            available_at: at,
            started_at: at,
            finished_at: itemStatus === 'succeeded' ? at : null,
          })
          .execute();
      }
    };
    await job('job_canceled', 'canceled', [
      ['succeeded', null],
      ['running', null],
      ['pending', 'TIMEOUT'],
    ]);
    await job('job_failed', 'failed', [['pending', null]]);
    await job('job_running', 'running', [
      ['succeeded', null],
      ['pending', 'TIMEOUT'],
    ]);
    const items = async () =>
      (await db.selectFrom('job_items').select(['job_id', 'seq', 'status', 'error_code', 'finished_at']).orderBy('job_id').orderBy('seq').execute()).map(
        (i) => [i.job_id, i.seq, i.status, i.error_code, i.finished_at],
      );

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await items()).toEqual([
      ['job_canceled', 0, 'succeeded', null, at],
      ['job_canceled', 1, 'canceled', null, ended],
      ['job_canceled', 2, 'canceled', null, ended],
      ['job_failed', 0, 'canceled', null, ended],
      ['job_running', 0, 'succeeded', null, at],
      ['job_running', 1, 'pending', 'TIMEOUT', null],
    ]);
    // SQLite rebuilt the table: its index of open items is back, its foreign key to jobs too.
    if (testBackend() === 'sqlite') {
      const indexes = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'job_items'`.execute(db);
      expect(indexes.rows.map((r) => r.name)).toContain('job_items_open');
      await expect(
        db
          .insertInto('job_items')
          .values({
            job_id: 'job_nope',
            seq: 0,
            key: 'k',
            status: 'pending',
            input: null,
            result: null,
            error_code: null,
            error_message: null,
            attempts: 0,
            available_at: at,
            started_at: null,
            finished_at: null,
          })
          .execute(),
      ).rejects.toThrow(/foreign key/i);
    }
    // The check still refuses a word it does not know.
    await expect(
      db
        .updateTable('job_items')
        .set({ status: 'lost' as ItemStatus })
        .where('job_id', '=', 'job_running')
        .execute(),
    ).rejects.toThrow(/check/i);

    expect((await migrator.migrateTo('0013_numbers_in_range')).error).toBeUndefined();
    expect((await items()).filter(([id]) => id === 'job_failed')).toEqual([['job_failed', 0, 'failed', 'CANCELED', ended]]);
    await expect(db.updateTable('job_items').set({ status: 'canceled' }).where('job_id', '=', 'job_failed').execute()).rejects.toThrow(/check/i);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await db.updateTable('job_items').set({ status: 'canceled' }).where('job_id', '=', 'job_failed').execute();
  });
});
