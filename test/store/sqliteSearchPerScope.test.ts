/**
 * Migration 0012 on SQLite: passages and profiles indexed in the old shared FTS5 tables move to
 * one table per knowledge base and per organisation, keep their rowids (search_rowid stays
 * right), are found afterwards within their own scope only, and come back through down + up.
 */
import { sql } from 'kysely';
import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { passagesSearch } from '../../src/families/ideas/kb/sql/chunks.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { orgCreate } from '../../src/store/orgs.ts';
import { profileDeleteForOrg } from '../../src/families/sourcing/talentPool/sql/profileDelete.ts';
import { profileSearch } from '../../src/families/sourcing/talentPool/sql/profileSearch.ts';
import { freshTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

let database: TestDatabase | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  await database?.drop();
});

const now = new Date().toISOString();
const token = (id: string) => id.toLowerCase().replace(/[^a-z0-9]/g, '');

describe('migration 0012_search_per_scope', () => {
  it('moves every indexed row into its scope’s table, searchable there and only there, and back on down', async () => {
    database = await freshTestDatabase();
    store = openStore(database.url, 2);
    const db = store.db;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('0011_events_without_job_check')).error).toBeUndefined();

    // Rows as the code before 0012 wrote them: one shared table each, the scope as a token.
    const orgs = [await orgCreate(db, 'a'), await orgCreate(db, 'b')];
    const kbIds: string[] = [];
    for (const [i, org] of orgs.entries()) {
      const kbId = `kb_0${i}TESTKB`;
      kbIds.push(kbId);
      await db.insertInto('kbs').values({ id: kbId, org_id: org.id, name: 'n', description: null, created_at: now, updated_at: now }).execute();
      await db
        .insertInto('kb_docs')
        .values({
          id: `doc_${i}`,
          kb_id: kbId,
          org_id: org.id,
          uri: `upload://${i}`,
          title: null,
          content_type: 'text/plain',
          status: 'indexed',
          error: null,
          source: null,
          chunks: 1,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await sql`insert into kb_chunks_fts (chunk_id, kb_id, heading, content) values (${`psg_${i}`}, ${token(kbId)}, '', ${`pricing note ${i}`})`.execute(db);
      await db
        .insertInto('kb_chunks')
        .values({
          id: `psg_${i}`,
          doc_id: `doc_${i}`,
          kb_id: kbId,
          seq: 0,
          heading: null,
          content: `pricing note ${i}`,
          search_rowid: sql<number>`last_insert_rowid()`,
        })
        .execute();
      await sql`insert into profiles_fts (profile_id, org_id, headline, titles, skills, highlights) values (${`prof_${i}`}, ${token(org.id)}, 'Rust engineer', '', 'rust', '')`.execute(
        db,
      );
      await db
        .insertInto('profiles')
        .values({
          id: `prof_${i}`,
          org_id: org.id,
          name: 'P',
          headline: null,
          location: null,
          linkedin_url: null,
          emails: '[]',
          resume: '{"basics":{"name":"P"}}',
          search_rowid: sql<number>`last_insert_rowid()`,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }

    const searchAll = async () => ({
      passages: await Promise.all(kbIds.map(async (kbId) => (await passagesSearch(db, kbId, ['pricing'], 10)).hits.map((h) => h.chunkId))),
      profiles: await Promise.all(orgs.map(async (org) => (await profileSearch(db, org.id, ['rust'], 10)).hits.map((h) => h.profileId))),
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await searchAll()).toEqual({ passages: [['psg_0'], ['psg_1']], profiles: [['prof_0'], ['prof_1']] });
    const shared = await sql<{ name: string }>`select name from sqlite_master where name in ('kb_chunks_fts', 'profiles_fts')`.execute(db);
    expect(shared.rows).toEqual([]);

    expect((await migrator.migrateTo('0011_events_without_job_check')).error).toBeUndefined();
    expect(
      (await sql<{ n: number }>`select count(*) as n from kb_chunks_fts where kb_chunks_fts match ${`kb_id : "${token(kbIds[0]!)}" AND pricing`}`.execute(db))
        .rows[0]!.n,
    ).toBe(1);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await searchAll()).toEqual({ passages: [['psg_0'], ['psg_1']], profiles: [['prof_0'], ['prof_1']] });

    // search_rowid still names the profile's row: deleting the profile takes it out of the index.
    expect(await profileDeleteForOrg(db, orgs[0]!.id, 'prof_0')).toBe(true);
    expect((await searchAll()).profiles).toEqual([[], ['prof_1']]);
  });
});
