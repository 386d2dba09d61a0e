/** How a stored profile looks on the `/profiles` routes (schemas.ts declares its shape). */
import type { Static } from '@sinclair/typebox';
import type { ProfileView, Resume } from './schemas.ts';
import type { ProfileRow } from './sql/profilesRead.ts';

export function profileView(row: ProfileRow): Static<typeof ProfileView> {
  return {
    id: row.id,
    name: row.name,
    headline: row.headline,
    location: row.location,
    linkedinUrl: row.linkedin_url,
    emails: JSON.parse(row.emails) as string[],
    resume: JSON.parse(row.resume) as Static<typeof Resume>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
