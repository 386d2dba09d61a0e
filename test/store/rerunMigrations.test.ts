/**
 * Migrations 0022 and 0023 on both databases: idempotency records keep response headers (null
 * for records written before), `job_reruns` names which job reran which and goes with the
 * rerun when retention deletes it; both go down and up again.
 */
import { describe, expect, it } from 'vitest';
import { jobsDeleteFinishedBefore } from '../../src/engine/index.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { legacyJobRow, migrationTestStores } from '../helpers/migrationTests.ts';

const stores = migrationTestStores();

const at = '2026-01-01T00:00:00.000Z';

describe('migrations 0022_idempotency_response_headers and 0023_job_reruns', () => {
  it('add the headers column and the reruns table, which follow their rows, and go down and up', async () => {
    const { store, migrator } = await stores.open();
    const db = store.db;
    expect((await migrator.migrateTo('0020_upload_storage')).error).toBeUndefined();
    const org = await orgCreate(db, 'acme');
    await db
      .insertInto('idempotency_keys')
      .values({
        org_id: org.id,
        key: 'k',
        request_hash: 'h',
        state: 'done',
        response_status: 202,
        response_body: '{}',
        created_at: at,
        expires_at: at,
      } as never)
      .execute();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await db.selectFrom('idempotency_keys').select('response_headers').executeTakeFirstOrThrow()).toEqual({ response_headers: null });

    for (const id of ['job_a', 'job_b'])
      await db
        .insertInto('jobs')
        .values({ ...legacyJobRow(id, org.id, at, { status: 'failed', completed_at: at }), trace_context: null })
        .execute();
    await db.insertInto('job_reruns').values({ job_id: 'job_b', rerun_of: 'job_a', org_id: org.id }).execute();
    expect(await jobsDeleteFinishedBefore(db, '2026-02-01T00:00:00.000Z')).toBe(2);
    expect(await db.selectFrom('job_reruns').selectAll().execute()).toEqual([]);

    expect((await migrator.migrateTo('0020_upload_storage')).error).toBeUndefined();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });
});
