/**
 * The talent pool's shapes on the wire, declared once for validation, serialization,
 * /openapi.json and the typed client. Imports nothing but TypeBox and other schema modules.
 *
 * The JSON Resume document (jsonresume.org schema) as the talent pool accepts it: the sections
 * the scoring model reads are typed and bounded; the schema's other sections (volunteer, awards,
 * …) are kept as given.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../../../http/schemas.ts';

const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description ? { description } : {}) });
const ResumeDate = Type.String({ maxLength: 10, pattern: '^\\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\\d|3[01]))?)?$', description: 'YYYY, YYYY-MM or YYYY-MM-DD' });

export const ResumeLocation = Type.Object({
  address: Type.Optional(Text(500)),
  postalCode: Type.Optional(Text(50)),
  city: Type.Optional(Text(200)),
  countryCode: Type.Optional(Text(60, 'ISO 3166-1 alpha-2, e.g. DE')),
  region: Type.Optional(Text(200)),
});

export const ResumeProfile = Type.Object({
  network: Type.Optional(Text(100, 'e.g. LinkedIn')),
  username: Type.Optional(Text(200)),
  url: Type.Optional(Text(2000)),
});

export const ResumeBasics = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  label: Type.Optional(Text(300, 'Headline, e.g. "Senior Backend Engineer"')),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  phone: Type.Optional(Text(50)),
  url: Type.Optional(Text(2000)),
  summary: Type.Optional(Text(10_000)),
  location: Type.Optional(ResumeLocation),
  profiles: Type.Optional(Type.Array(ResumeProfile, { maxItems: 20 })),
});

export const ResumeWork = Type.Object({
  name: Type.Optional(Text(300, 'Company')),
  position: Type.Optional(Text(300)),
  location: Type.Optional(Text(300)),
  url: Type.Optional(Text(2000)),
  startDate: Type.Optional(ResumeDate),
  endDate: Type.Optional(ResumeDate),
  summary: Type.Optional(Text(10_000)),
  description: Type.Optional(Text(10_000)),
  highlights: Type.Optional(Type.Array(Text(2000), { maxItems: 50 })),
});

export const ResumeSkill = Type.Object({
  name: Type.Optional(Text(200)),
  level: Type.Optional(Text(100)),
  keywords: Type.Optional(Type.Array(Text(200), { maxItems: 100 })),
});

export const ResumeEducation = Type.Object({
  institution: Type.Optional(Text(300)),
  url: Type.Optional(Text(2000)),
  area: Type.Optional(Text(300)),
  studyType: Type.Optional(Text(200)),
  startDate: Type.Optional(ResumeDate),
  endDate: Type.Optional(ResumeDate),
  score: Type.Optional(Text(100)),
  courses: Type.Optional(Type.Array(Text(300), { maxItems: 100 })),
});

export const Resume = Type.Object(
  {
    basics: ResumeBasics,
    work: Type.Optional(Type.Array(ResumeWork, { maxItems: 100 })),
    skills: Type.Optional(Type.Array(ResumeSkill, { maxItems: 200 })),
    education: Type.Optional(Type.Array(ResumeEducation, { maxItems: 30 })),
  },
  { $id: 'Resume', description: 'A JSON Resume document (jsonresume.org). Needs basics.name and an email or a LinkedIn URL.' },
);
export type Resume = Static<typeof Resume>;
export type ResumeWork = Static<typeof ResumeWork>;

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

export const ImportResult = Type.Object({
  success: Type.Literal(true),
  profileIds: Type.Array(Type.String(), { description: 'One per entry (or per person in a CSV), in order' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  profiles: Type.Array(Type.Object({ profileId: Type.String(), status: Type.Union([Type.Literal('created'), Type.Literal('updated')]) })),
});

export const ProfilesPage = Type.Object({
  success: Type.Literal(true),
  profiles: Type.Array(Type.Ref(ProfileView)),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const ProfileAnswer = Type.Object({ success: Type.Literal(true), ...ProfileFields });

export const ProfileDeleted = Type.Object({ success: Type.Literal(true), id: Type.String(), deleted: Type.Literal(true) });
