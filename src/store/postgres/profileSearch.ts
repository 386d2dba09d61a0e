/**
 * Profiles' full-text entries on PostgreSQL: a weighted tsvector (skills A, headline and titles
 * B, highlights C) with a GIN index, ranked by ts_rank, which reads only the row it ranks (so an
 * organisation's ranks depend on its own profiles only). Removed with the profile, by cascade.
 */
import { sql, type Kysely } from 'kysely';
import type { IndexedProfile, ProfileSearchDocument, Ranked } from '../driver.ts';
import { foldAccents } from '../foldAccents.ts';
import type { Database } from '../schema.ts';

type Db = Kysely<Database>;

export async function profileIndexPut(trx: Db, profile: IndexedProfile, doc: ProfileSearchDocument): Promise<void> {
  await sql`
    insert into profiles_fts (profile_id, org_id, document)
    values (${profile.id}, ${profile.org_id},
      setweight(to_tsvector('simple', ${foldAccents(doc.headline)}), 'B') || setweight(to_tsvector('simple', ${foldAccents(doc.titles)}), 'B') ||
      setweight(to_tsvector('simple', ${doc.skills}), 'A') || setweight(to_tsvector('simple', ${foldAccents(doc.highlights)}), 'C'))
    on conflict (profile_id) do update set document = excluded.document`.execute(trx);
}

export async function profileIndexDelete(): Promise<void> {
  // The foreign key's cascade removes the entry with the profile.
}

export async function profilesSearch(db: Db, orgId: string, terms: string[], limit: number): Promise<{ ranked: Ranked[]; total: number }> {
  const query = terms.join(' | ');
  const { rows } = await sql<{ profile_id: string; relevance: number }>`
    select profile_id, ts_rank(document, q) as relevance
    from profiles_fts, to_tsquery('simple', ${query}) q
    where org_id = ${orgId} and document @@ q
    order by relevance desc, profile_id
    limit ${limit}`.execute(db);
  const count = await sql<{ n: number }>`
    select count(*) as n from profiles_fts, to_tsquery('simple', ${query}) q where org_id = ${orgId} and document @@ q`.execute(db);
  return { ranked: rows.map((r) => ({ id: r.profile_id, relevance: Number(r.relevance) })), total: Number(count.rows[0]?.n ?? 0) };
}
