/**
 * The scoring model: one profile against one role's requirements, as a candidate object.
 *
 * Deterministic: the same role, profile and `asOf` always give the same candidate, field for
 * field; nothing here reads the clock or a random source. `asOf` is the sourcing run's creation
 * time, which ongoing positions are measured up to.
 *
 * matchScore (0–100) is the weighted sum of six parts, each 0…1, less penalties:
 *
 *   must-have skills  35   share of must-have requirements met, each by its best evidence:
 *                          used in a position of the last 5 years 1.0, in an older one 0.6,
 *                          only listed in skills or the summary 0.75
 *   nice-to-have      10   the same over nice-to-haves (= the must-have part if there are none)
 *   title             20   best of: current title, headline (×0.9), a past title (×0.9 if it
 *                          ended within 5 years, else ×0.7) — similarity from `titles.ts`
 *   experience        15   relevant years ÷ required years, capped at 1; required is the
 *                          description's "N+ years", else by the title's seniority
 *                          (junior 1, mid 3, senior 5, staff/lead 7, principal 9, none 3)
 *   seniority         10   the level of the current title against the role's range ("Staff /
 *                          Senior" is two levels): inside 1, one above 0.8, one below or two
 *                          above 0.5, further 0
 *   location          10   see `location.ts`
 *   penalties              −5 for short tenures (2+ of the last 4 finished positions under a
 *                          year), −3 for a gap over 12 months in the last 6 years
 *
 * A position is relevant when 0.65 × its title similarity + 0.35 × the share of must-haves it
 * shows evidence of is at least 0.4; relevant years are the months those positions cover.
 */
import type { Resume, ResumeWork } from '../talentPool/schemas.ts';
import type { Candidate } from './schemas.ts';
import { describeMonths, describeYears, formatMonth, gapsBetween, monthOf, monthsCovered, monthsIn, spanOf, type Span } from './experience.ts';
import { locationFit, placeOf } from './location.ts';
import type { Requirement, RoleRequirements } from './requirements.ts';
import { canonicalSkill, skillsInText, skillsOfListEntry } from './skills.ts';
import { seniorityOf, titleSimilarity, type Seniority } from './titles.ts';

export const WEIGHTS = { must: 35, nice: 10, title: 20, experience: 15, seniority: 10, location: 10 } as const;
export const PENALTIES = { shortTenures: 5, gap: 3 } as const;

const RECENT_MONTHS = 60;
const DEFAULT_YEARS_BY_LEVEL = [0, 1, 3, 5, 7, 9];

export interface ProfileForScoring {
  profileId: string;
  resume: Resume;
  linkedinUrl: string | null;
  emails: string[];
}

export interface ScoreBreakdown {
  must: number;
  nice: number;
  title: number;
  experience: number;
  seniority: number;
  location: number;
  penalty: number;
}

interface Evidence {
  weight: number;
  where: string;
}

interface Position {
  work: ResumeWork;
  span: Span | null;
  title: string;
  company: string;
  skills: Set<string>;
  titleSim: number;
  mustShare: number;
  relevant: boolean;
}

function positionText(work: ResumeWork): string {
  return [work.position, work.summary, work.description, ...(work.highlights ?? [])].filter(Boolean).join('\n');
}

/** Best evidence per canonical skill, from positions, the skills list and the summary. */
function collectEvidence(resume: Resume, positions: Position[], asOf: number): Map<string, Evidence> {
  const evidence = new Map<string, Evidence>();
  const offer = (skill: string, candidate: Evidence) => {
    const current = evidence.get(skill);
    if (!current || candidate.weight > current.weight) evidence.set(skill, candidate);
  };
  for (const p of positions) {
    const recent = p.span === null ? null : p.span.end >= asOf - RECENT_MONTHS;
    const weight = recent === null ? 0.7 : recent ? 1 : 0.6;
    const when = describeYears(p.work.startDate, p.work.endDate);
    for (const skill of p.skills) offer(skill, { weight, where: `used at ${p.company || 'an unnamed company'} (${when})` });
  }
  for (const entry of resume.skills ?? []) {
    for (const text of [entry.name, ...(entry.keywords ?? [])]) {
      if (!text) continue;
      for (const skill of skillsOfListEntry(text)) offer(skill, { weight: 0.75, where: 'listed in skills' });
    }
  }
  const summary = [resume.basics.label, resume.basics.summary].filter(Boolean).join('\n');
  for (const m of skillsInText(summary)) offer(m.skill, { weight: 0.75, where: 'named in the profile summary' });
  return evidence;
}

function coverage(requirements: Requirement[], evidence: Map<string, Evidence>) {
  const met: { requirement: Requirement; skill: string; evidence: Evidence }[] = [];
  const missing: Requirement[] = [];
  let sum = 0;
  for (const requirement of requirements) {
    let best: { skill: string; evidence: Evidence } | null = null;
    for (const skill of requirement.anyOf) {
      const e = evidence.get(skill);
      if (e && (!best || e.weight > best.evidence.weight)) best = { skill, evidence: e };
    }
    if (best) {
      met.push({ requirement, ...best });
      sum += best.evidence.weight;
    } else {
      missing.push(requirement);
    }
  }
  return { share: requirements.length === 0 ? null : sum / requirements.length, met, missing };
}

function seniorityPart(candidateLevel: number | null, role: Seniority | null): number {
  if (role === null) return 1;
  if (candidateLevel === null) return 0.5;
  // Distance to the role's range: above it is less of a misfit than below it.
  const diff = candidateLevel > role.level ? candidateLevel - role.level : candidateLevel < role.minLevel ? candidateLevel - role.minLevel : 0;
  if (diff === 0) return 1;
  if (diff === 1) return 0.8;
  if (diff === -1 || diff === 2) return 0.5;
  return 0;
}

function levelFromYears(years: number): number {
  return years < 2 ? 1 : years < 5 ? 2 : years < 8 ? 3 : 4;
}

const listing = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export function scoreProfile(role: RoleRequirements, profile: ProfileForScoring, asOfDate: Date): { candidate: Candidate; breakdown: ScoreBreakdown } {
  const { resume } = profile;
  const asOf = monthOf(asOfDate);
  const mustSkills = role.mustHave;

  const positions: Position[] = (resume.work ?? []).map((work) => {
    const skills = new Set(skillsInText(positionText(work)).map((m) => m.skill));
    const title = work.position?.trim() ?? '';
    const titleSim = title ? titleSimilarity(role.title, title) : 0;
    const mustShare = mustSkills.length === 0 ? 0 : mustSkills.filter((r) => r.anyOf.some((s) => skills.has(s))).length / mustSkills.length;
    const span = spanOf(work.startDate, work.endDate, asOf);
    return { work, span, title, company: work.name?.trim() ?? '', skills, titleSim, mustShare, relevant: 0.65 * titleSim + 0.35 * mustShare >= 0.4 };
  });
  // Most recent first; positions without dates keep their order, after the dated ones.
  const ordered = [...positions].sort((a, b) => (b.span?.start ?? -Infinity) - (a.span?.start ?? -Infinity));
  const current = ordered.find((p) => p.span?.ongoing) ?? ordered[0];

  const evidence = collectEvidence(resume, positions, asOf);
  const must = coverage(role.mustHave, evidence);
  const nice = coverage(role.niceToHave, evidence);

  const headline = resume.basics.label?.trim() || undefined;
  const titleCandidates = [
    current?.title ? current.titleSim : 0,
    headline ? 0.9 * titleSimilarity(role.title, headline) : 0,
    ...ordered.filter((p) => p !== current).map((p) => p.titleSim * (p.span && p.span.end >= asOf - RECENT_MONTHS ? 0.9 : 0.7)),
  ];
  const title = Math.max(0, ...titleCandidates);

  const relevantMonths = monthsCovered(positions.filter((p) => p.relevant && p.span).map((p) => p.span!));
  const relevantYears = relevantMonths / 12;
  const requiredYears = role.minYears ?? DEFAULT_YEARS_BY_LEVEL[role.seniority?.minLevel ?? 2]!;
  const experience = requiredYears === 0 ? 1 : Math.min(1, relevantYears / requiredYears);

  const stated = seniorityOf(current?.title ?? '') ?? (headline ? seniorityOf(headline) : null);
  const candidateLevel = stated?.level ?? (positions.length > 0 ? levelFromYears(relevantYears) : null);
  const seniority = seniorityPart(candidateLevel, role.seniority);

  const place = placeOf(resume.basics.location);
  const location = locationFit(role.location, place);

  // Work-history patterns.
  const finished = ordered.filter((p) => p.span && !p.span.ongoing).slice(0, 4);
  const short = finished.filter((p) => monthsIn(p.span!) < 12 && p.span!.end >= asOf - 72);
  const shortTenures = short.length >= 2;
  const gaps = gapsBetween(
    positions.filter((p) => p.span).map((p) => p.span!),
    asOf,
    12,
  ).filter((g) => g.to >= asOf - 72);

  const mustPart = must.share ?? nice.share ?? title;
  const nicePart = nice.share ?? mustPart;
  const penalty = (shortTenures ? PENALTIES.shortTenures : 0) + (gaps.length > 0 ? PENALTIES.gap : 0);
  const breakdown: ScoreBreakdown = { must: mustPart, nice: nicePart, title, experience, seniority, location: location.score, penalty };
  const raw =
    WEIGHTS.must * mustPart +
    WEIGHTS.nice * nicePart +
    WEIGHTS.title * title +
    WEIGHTS.experience * experience +
    WEIGHTS.seniority * seniority +
    WEIGHTS.location * location.score -
    penalty;
  const matchScore = Math.max(0, Math.min(100, Math.round(raw)));

  const yearsText = relevantMonths > 0 ? describeMonths(relevantMonths) : 'no';
  const requiredText = role.minYears !== null ? ` (${role.minYears}+ required)` : '';

  const fitPoints: string[] = [
    ...must.met.map((m) => `${m.skill}: ${m.evidence.where}`),
    ...nice.met.map((m) => `Nice to have, ${m.skill}: ${m.evidence.where}`),
  ];
  if (experience >= 1 && relevantMonths > 0) fitPoints.push(`${yearsText} of relevant experience${requiredText}`);
  if (current?.title && current.titleSim >= 0.7) fitPoints.push(`Current title close to the role: ${current.title}`);
  if (role.seniority && seniority >= 0.8 && stated) fitPoints.push(`Seniority: ${stated.label}, the role is ${role.seniority.label}`);
  if (role.location && location.score >= 0.7) fitPoints.push(`Location: ${location.reason}`);

  const redFlags: string[] = must.missing.map((r) => `Missing must-have: ${r.label}`);
  if (experience < 1) redFlags.push(`Less relevant experience than the role asks: ${yearsText === 'no' ? 'none' : yearsText}${requiredText}`);
  if (role.seniority && seniority <= 0.5 && candidateLevel !== null) {
    redFlags.push(`Seniority: ${stated?.label ?? 'about ' + describeMonths(relevantMonths)} against the role's ${role.seniority.label}`);
  }
  if (location.score === 0) redFlags.push(`Location: ${location.reason}`);
  if (shortTenures) redFlags.push(`Short tenures: ${short.length} of the last ${finished.length} finished positions lasted under a year`);
  for (const gap of gaps) redFlags.push(`Gap of ${describeMonths(gap.months)} in work history (${formatMonth(gap.from)} to ${formatMonth(gap.to)})`);

  const rationaleParts: string[] = [];
  const who = current?.title ? `${current.title}${current.company ? ` at ${current.company}` : ''}` : resume.basics.name;
  rationaleParts.push(`${who} with ${yearsText} of relevant experience`);
  if (role.mustHave.length > 0) {
    const top = must.met.slice(0, 3).map((m) => m.skill);
    rationaleParts.push(
      must.met.length === 0
        ? `meets none of the ${role.mustHave.length} must-haves`
        : `meets ${must.met.length} of ${role.mustHave.length} must-haves (${listing(top)})`,
    );
  }
  if (must.missing.length > 0 && must.met.length > 0) rationaleParts.push(`lacks ${listing(must.missing.slice(0, 2).map((r) => r.label))}`);
  if (role.location) rationaleParts.push(location.reason);

  const detailed = ordered
    .filter((p) => p.relevant)
    .map((p) => {
      const used = role.mustHave.concat(role.niceToHave).flatMap((r) => r.anyOf.filter((s) => p.skills.has(s)));
      const why: string[] = [];
      if (p.titleSim >= 0.5) why.push(`Title close to the role (${p.title})`);
      if (used.length > 0) why.push(`used ${listing([...new Set(used)])}`);
      return {
        title: p.title || 'Untitled position',
        company: p.company || 'Unnamed company',
        duration: p.span ? describeMonths(monthsIn(p.span)) : 'Unknown',
        relevanceExplanation: `${why.join('; ') || 'Related work'}.`.replace(/^./, (c) => c.toUpperCase()),
      };
    });

  const skills = [
    ...must.met.map((m) => m.skill),
    ...nice.met.map((m) => m.skill),
    ...(resume.skills ?? []).flatMap((s) => {
      const names = [s.name, ...(s.keywords ?? [])].filter((x): x is string => Boolean(x && x.trim()));
      return names.flatMap((n) => {
        const known = skillsOfListEntry(n);
        return known.length > 0 ? known : [canonicalSkill(n)];
      });
    }),
    ...[...evidence.keys()],
  ];

  const candidate: Candidate = {
    profileId: profile.profileId,
    name: resume.basics.name,
    ...(profile.linkedinUrl ? { linkedinUrl: profile.linkedinUrl } : {}),
    matchScore,
    rationale: `${rationaleParts.join('; ')}.`,
    skills: [...new Set(skills)].slice(0, 40),
    ...(headline || current?.title ? { headline: headline ?? `${current!.title}${current!.company ? ` at ${current!.company}` : ''}` } : {}),
    ...(place ? { location: place.text } : {}),
    ...(current?.company ? { currentCompany: current.company } : {}),
    ...(current?.title ? { currentRole: current.title } : {}),
    aiFitPoints: fitPoints,
    aiRedFlags: redFlags,
    aiDetailedRationale: detailed,
    detailedExperience: ordered.map((p) => ({
      role: p.title || 'Untitled position',
      company: p.company || 'Unnamed company',
      duration: describeYears(p.work.startDate, p.work.endDate),
      highlights: p.work.highlights ?? [],
    })),
    emails: profile.emails,
  };
  return { candidate, breakdown };
}
