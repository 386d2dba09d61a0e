/** How a stored profile looks on the `/profiles` routes. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../server/schemas.ts';
import { Resume } from './resume.ts';
import type { ProfileRow } from './sql/profilesRead.ts';

export const ProfileFields = {
  id: Type.String({ description: 'prof_<uuid>' }),
  name: Type.String(),
  headline: Nullable(Type.String()),
  location: Nullable(Type.String()),
  linkedinUrl: Nullable(Type.String()),
  emails: Type.Array(Type.String(), { description: 'Every email imported for this person, first one first' }),
  resume: Type.Ref(Resume),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
export const ProfileView = Type.Object(ProfileFields, { $id: 'Profile' });

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
