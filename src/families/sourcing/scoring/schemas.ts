/**
 * The candidate object of the sourcing family's contract (`../shared/CONTRACTS.md`), declared
 * once: it types the scoring model's output and validates and serialises the routes' answers.
 * Optional text fields are left out when the profile does not have them; lists are always there.
 */
import { Type, type Static } from '@sinclair/typebox';

export const Candidate = Type.Object(
  {
    profileId: Type.String(),
    name: Type.String(),
    linkedinUrl: Type.Optional(Type.String()),
    matchScore: Type.Integer({ minimum: 0, maximum: 100 }),
    rationale: Type.String({ description: 'One sentence naming the strongest reasons for the score' }),
    skills: Type.Array(Type.String()),
    headline: Type.Optional(Type.String()),
    location: Type.Optional(Type.String()),
    currentCompany: Type.Optional(Type.String()),
    currentRole: Type.Optional(Type.String()),
    aiFitPoints: Type.Array(Type.String(), { description: 'Requirements the profile meets, with the evidence' }),
    aiRedFlags: Type.Array(Type.String(), { description: 'Missing must-haves, short tenures, gaps, misfits' }),
    aiDetailedRationale: Type.Array(
      Type.Object({ title: Type.String(), company: Type.String(), duration: Type.String(), relevanceExplanation: Type.String() }),
      { description: 'One entry per position relevant to the role' },
    ),
    detailedExperience: Type.Array(
      Type.Object({ role: Type.String(), company: Type.String(), duration: Type.String(), highlights: Type.Array(Type.String()) }),
    ),
    emails: Type.Array(Type.String()),
  },
  { $id: 'Candidate' },
);
export type Candidate = Static<typeof Candidate>;
