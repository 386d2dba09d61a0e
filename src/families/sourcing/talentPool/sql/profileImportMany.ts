/**
 * Imports profiles into an organisation's pool in one transaction: all of them or none.
 *
 * Guarantees: a person already in the pool (any of their emails, or their LinkedIn URL, seen
 * before) is updated in place, never duplicated — the document is replaced, emails accumulate,
 * and the ID stays. Two entries of one request that are the same person end as one profile (the
 * later entry wins). An entry whose email names one profile and whose LinkedIn URL another is
 * refused, and with it the whole import.
 */
import { AppError, type ErrorDetail } from '../../../../errors.ts';
import { nowIso, uuidv7 } from '../../../../ids.ts';
import type { Db } from '../../../../store/database.ts';
import { identitiesOf, normalizeEmail } from '../identity.ts';
import type { Resume } from '../schemas.ts';
import { searchDocumentOf } from '../searchDocument.ts';
import { profileSearchIndexPut } from './profileSearchIndex.ts';

const YIELD_EVERY = 50;

export interface ImportedProfile {
  profileId: string;
  status: 'created' | 'updated';
}

function placeText(resume: Resume): string | null {
  const l = resume.basics.location;
  if (!l) return null;
  return [l.city, l.region, l.countryCode].filter(Boolean).join(', ') || l.address || null;
}

export async function profileImportMany(db: Db, orgId: string, resumes: Resume[]): Promise<ImportedProfile[]> {
  return db.transaction().execute(async (trx) => {
    const now = nowIso();
    const results: ImportedProfile[] = [];
    const conflicts: ErrorDetail[] = [];
    for (const [entry, resume] of resumes.entries()) {
      // SQLite runs each statement synchronously: let the event loop breathe now and then, so a
      // bulk import does not freeze requests that need no database (health checks, timers).
      if (entry > 0 && entry % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const ids = identitiesOf(resume);
      const keys = [
        ...ids.emails.map((v) => ({ kind: 'email' as const, value: v })),
        ...(ids.linkedin ? [{ kind: 'linkedin' as const, value: ids.linkedin }] : []),
      ];
      const owners = await trx
        .selectFrom('profile_identities')
        .select(['profile_id', 'kind'])
        .where('org_id', '=', orgId)
        .where((eb) => eb.or(keys.map((k) => eb.and([eb('kind', '=', k.kind), eb('value', '=', k.value)]))))
        .execute();
      const distinct = [...new Set(owners.map((o) => o.profile_id))];
      if (distinct.length > 1) {
        conflicts.push({ entry, field: 'basics', message: `its email and its LinkedIn URL belong to two different profiles (${distinct.join(', ')})` });
        continue;
      }
      const existing = distinct[0]
        ? await trx.selectFrom('profiles').select(['id', 'org_id', 'emails', 'search_rowid']).where('id', '=', distinct[0]).executeTakeFirstOrThrow()
        : null;
      const emails = existing ? (JSON.parse(existing.emails) as string[]) : [];
      const email = resume.basics.email?.trim();
      if (email && !emails.some((e) => normalizeEmail(e) === normalizeEmail(email))) emails.push(email);
      const fields = {
        name: resume.basics.name,
        headline: resume.basics.label ?? null,
        location: placeText(resume),
        linkedin_url: ids.linkedin,
        emails: JSON.stringify(emails),
        resume: JSON.stringify(resume),
        updated_at: now,
      };
      let row: { id: string; org_id: string; search_rowid: number | null };
      if (existing) {
        const keepLinkedIn =
          fields.linkedin_url ?? (await trx.selectFrom('profiles').select('linkedin_url').where('id', '=', existing.id).executeTakeFirstOrThrow()).linkedin_url;
        await trx
          .updateTable('profiles')
          .set({ ...fields, linkedin_url: keepLinkedIn })
          .where('id', '=', existing.id)
          .execute();
        row = existing;
        results.push({ profileId: existing.id, status: 'updated' });
      } else {
        row = { id: `prof_${uuidv7()}`, org_id: orgId, search_rowid: null };
        await trx
          .insertInto('profiles')
          .values({ ...fields, id: row.id, org_id: orgId, created_at: now, search_rowid: null })
          .execute();
        results.push({ profileId: row.id, status: 'created' });
      }
      const fresh = keys.filter((k) => !owners.some((o) => o.kind === k.kind));
      if (fresh.length > 0) {
        await trx
          .insertInto('profile_identities')
          .values(fresh.map((k) => ({ org_id: orgId, kind: k.kind, value: k.value, profile_id: row.id })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      await profileSearchIndexPut(trx, row, searchDocumentOf(resume));
    }
    if (conflicts.length > 0) {
      throw new AppError('validation_error', `${conflicts.length} of ${resumes.length} profiles could not be imported; nothing was imported.`, 400, conflicts);
    }
    return results;
  });
}
