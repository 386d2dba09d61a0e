/**
 * What a role asks for, read from its title, job description and location.
 *
 * Rules:
 * - The description is read line by line and sentence by sentence. A heading ("Requirements",
 *   "Must have", "What you'll need" / "Nice to have", "Bonus", "Preferred" / "About us",
 *   "Benefits") sets the section for the lines under it. Inside a sentence, words such as "a plus",
 *   "nice to have", "ideally", "familiarity with" make its skills nice-to-have, and "must",
 *   "required" make them must-haves, as do sentences that state what the candidate has ("You
 *   have 5+ years of …", "experience with …"); otherwise the section decides. Skills of a duties
 *   section ("What you'll do") or of other lines are must-haves when the description states no
 *   requirements (by heading or by such sentences), and nice-to-haves when it does: it said what
 *   it requires. About-us and benefits sections are ignored. Skills a named skill implies (EKS → Kubernetes) are not
 *   requirements of their own.
 * - Skills joined by "or" or "/" in one sentence ("AWS or GCP", "Snowflake/BigQuery"), or listed
 *   after "e.g." or "such as" inside parentheses, are one requirement any of which satisfies it.
 * - A skill named in the title is a must-have.
 * - Years of experience: the first "N+ years", "at least N years", "N-M years" or "five years"
 *   (the lower bound) in the description.
 * - Seniority: the level the title states (see `titles.ts`).
 */
import { parseRoleLocation, type RoleLocation } from './location.ts';
import { skillsInText, type SkillMention } from './skills.ts';
import { seniorityOf, type Seniority } from './titles.ts';

export interface Role {
  title: string;
  jobDescription: string;
  location?: string;
  /** Extra search words; they widen the search, not the requirements. */
  query?: string;
}

/** One requirement: any of its skills satisfies it. */
export interface Requirement {
  anyOf: string[];
  label: string;
}

export interface RoleRequirements {
  title: string;
  mustHave: Requirement[];
  niceToHave: Requirement[];
  minYears: number | null;
  seniority: Seniority | null;
  location: RoleLocation | null;
}

type Section = 'must' | 'duties' | 'nice' | 'ignore' | 'none';

const NICE_HEADING = /\b(nice[- ]to[- ]haves?|bonus|preferred|pluses|plus points|good to have|desirable|extra credit|would be great|not required)\b/;
const MUST_HEADING =
  /\b(requirements|required|must[- ]haves?|what you('|’)ll need|what you need|you have|you bring|qualifications|who you are|what we('|’)re looking for|about you|skills|experience|your profile)\b/;
const DUTIES_HEADING = /\b(what you('|’)ll do|what you will do|responsibilities|the role|your role|the job|day[- ]to[- ]day|what you('|’)ll work on)\b/;
const IGNORE_HEADING =
  /\b(about us|about the company|who we are|benefits|perks|what we offer|compensation|salary|our values|why join|equal opportunity|how to apply|interview process)\b/;
const NICE_CUE =
  /\b(nice[- ]to[- ]have|bonus|a plus|is a plus|are a plus|plus if|big plus|preferred|preferably|ideally|familiarity|exposure to|would be great|good to have|an advantage|desirable|not required|helpful|appreciated|interest in)\b/;
/** Only words that say "required" outright override a nice-to-have section. */
const MUST_CUE = /\b(must|required|requires|mandatory|essential)\b/;
/** A sentence that states what the candidate has or knows, outside any heading ("You have 5+ years of …"). */
const REQUIREMENT_CUE =
  /\b(you have|you bring|you know|you are (comfortable|fluent|proficient|experienced)|you('|’)re (comfortable|fluent|proficient|experienced)|you write|experience (with|in|building|running|designing)|years of|proficien\w*|fluent in|knowledge of|background in)\b/;

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
  fifteen: 15,
};
const YEARS =
  /\b(?:at least |minimum of |min\.? |over |more than )?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen)\s*\+?\s*(?:(?:-|–|to)\s*\d{1,2}\s*\+?\s*)?(?:years?|yrs?)\b/i;

function isHeading(line: string): boolean {
  const words = line
    .replace(/[#*:_-]/g, ' ')
    .trim()
    .split(/\s+/);
  return (line.trim().endsWith(':') || /^#+\s/.test(line.trim()) || words.length <= 5) && words.length <= 8 && !/[.]$/.test(line.trim());
}

function headingSection(line: string): Section | null {
  const text = line.toLowerCase();
  if (NICE_HEADING.test(text)) return 'nice';
  if (IGNORE_HEADING.test(text)) return 'ignore';
  if (MUST_HEADING.test(text)) return 'must';
  if (DUTIES_HEADING.test(text)) return 'duties';
  return null;
}

/**
 * Groups the mentions of one sentence into requirements. Mentions separated only by commas,
 * "or", "/" or "and/or" form a run; a run joined by any "or" ("AWS, GCP or Azure"), or followed
 * by "or similar" / "or equivalent", is one requirement any of which satisfies it. So is a list in
 * parentheses after "e.g." or "such as". Otherwise each mention is a requirement of its own.
 */
function groupAlternatives(sentence: string, mentions: SkillMention[]): string[][] {
  const runs: { skills: string[][]; separators: string[]; end: number; index: number }[] = [];
  const inExamples = (index: number) => {
    const open = sentence.lastIndexOf('(', index);
    const close = sentence.lastIndexOf(')', index);
    return open > close && /\(\s*(e\.g\.?|eg|such as|like|for example|i\.e\.)/i.test(sentence.slice(open, index + 1));
  };
  for (const mention of mentions) {
    const last = runs[runs.length - 1];
    if (last && mention.index === last.index) {
      last.skills[last.skills.length - 1]!.push(mention.skill); // implied skills share their alias's place
      continue;
    }
    const between = last ? sentence.slice(last.end, mention.index) : '';
    const listed = /^\s*(,|\/|,?\s*or|,?\s*and\/or)\s*$/i.test(between);
    const examples = last && inExamples(mention.index) && inExamples(last.index) && /^[\s,]*(and|or)?\s*$/i.test(between);
    if (last && (listed || examples)) {
      last.skills.push([mention.skill]);
      last.separators.push(examples ? 'or' : between);
      last.end = mention.end;
      last.index = mention.index;
    } else {
      runs.push({ skills: [[mention.skill]], separators: [], end: mention.end, index: mention.index });
    }
  }
  return runs.flatMap((run) => {
    const alternatives =
      run.separators.some((sep) => /or|\//i.test(sep)) || /^\s*,?\s*or (similar|equivalent|another|other|comparable)/i.test(sentence.slice(run.end));
    return alternatives ? [[...new Set(run.skills.flat())]] : run.skills.map((s) => [...new Set(s)]);
  });
}

export function parseRole(role: Role): RoleRequirements {
  const must = new Map<string, Requirement>();
  const nice = new Map<string, Requirement>();
  const add = (target: Map<string, Requirement>, anyOf: string[]) => {
    const key = [...anyOf].sort().join('|');
    if (!target.has(key)) target.set(key, { anyOf, label: anyOf.join(' or ') });
  };

  for (const group of groupAlternatives(
    role.title,
    skillsInText(role.title).filter((m) => !m.implied),
  ))
    add(must, group);

  /** Skills from duties or unmarked lines: must-haves unless the description states its requirements. */
  const soft = new Map<string, Requirement>();
  let hasRequirements = false;
  let section: Section = 'none';
  let minYears: number | null = null;
  for (const rawLine of role.jobDescription.split(/\r?\n/)) {
    let line = rawLine.trim();
    if (!line) continue;
    // "Benefits: …" on one line: a heading, then its first line.
    const inline = /^([^:.]{2,40}):\s+(\S.*)$/.exec(line);
    const headingText = inline ? inline[1]! : isHeading(line) ? line : null;
    const next = headingText === null ? null : headingSection(headingText);
    if (next) {
      section = next;
      if (next === 'must') hasRequirements = true;
      if (inline) line = inline[2]!;
      else if (skillsInText(line).length === 0) continue;
    }
    if (section === 'ignore') continue;
    for (const sentence of line.split(/(?<=[.;!?])(?<!\b(?:e\.g|i\.e|etc|vs|incl)\.)\s+(?=[A-Z])/)) {
      const lower = sentence.toLowerCase();
      if (minYears === null) {
        const years = YEARS.exec(sentence);
        if (years && /experience|building|working|professional|industry|years? (of|in|as|with)/i.test(sentence)) {
          minYears = NUMBER_WORDS[years[1]!.toLowerCase()] ?? Number(years[1]);
        }
      }
      const mentions = skillsInText(sentence).filter((m) => !m.implied);
      if (mentions.length === 0) continue;
      const explicitMust = MUST_CUE.test(lower);
      const stated = section !== 'nice' && REQUIREMENT_CUE.test(lower);
      if (stated) hasRequirements = true;
      const target = NICE_CUE.test(lower) && !explicitMust ? nice : explicitMust || stated || section === 'must' ? must : section === 'nice' ? nice : soft;
      for (const group of groupAlternatives(sentence, mentions)) add(target, group);
    }
  }

  for (const [key, requirement] of soft) (hasRequirements ? nice : must).set(key, requirement);

  // A skill that is a must-have somewhere is not also a nice-to-have.
  const mustSkills = new Set([...must.values()].flatMap((r) => r.anyOf));
  const niceOnly = [...nice.values()].filter((r) => !r.anyOf.some((s) => mustSkills.has(s)));
  // A must-have that is only one of several alternatives elsewhere stays as the stricter single one.
  const mustList = [...must.values()].filter(
    (r) => !(r.anyOf.length > 1 && [...must.values()].some((o) => o !== r && o.anyOf.length === 1 && r.anyOf.includes(o.anyOf[0]!))),
  );

  return {
    title: role.title,
    mustHave: mustList,
    niceToHave: niceOnly,
    minYears,
    seniority: seniorityOf(role.title),
    location: parseRoleLocation(role.location),
  };
}
