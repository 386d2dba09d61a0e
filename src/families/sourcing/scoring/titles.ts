/**
 * Job titles: how alike two titles are, and what seniority a title states.
 *
 * Similarity is a weighted soft Dice over normalised title words: seniority words are dropped,
 * abbreviations expanded (Sr → senior, SWE → software engineer, ML → ml), synonyms folded
 * (developer, programmer → engineer; back-end, server-side → backend), and related
 * specialisations count in part (backend ~ fullstack, ml ~ ai, product ~ ux designer). The role
 * noun (engineer, designer, …) weighs less than the specialisation, so "Data Engineer" is not
 * close to "Backend Engineer" merely for sharing "engineer".
 */

const SENIORITY: [RegExp, number, string][] = [
  [/\b(intern|internship|trainee|apprentice)\b/, 0, 'Intern'],
  [/\b(junior|jr|entry[- ]level|graduate|associate)\b/, 1, 'Junior'],
  [/\b(mid[- ]level|intermediate|ii)\b/, 2, 'Mid-level'],
  [/\b(senior|sr|iii)\b/, 3, 'Senior'],
  [/\b(staff|lead|tech lead|team lead)\b/, 4, 'Staff/Lead'],
  [/\b(principal|distinguished|architect)\b/, 5, 'Principal'],
  [/\b(head of|director|vp|vice president|chief|cto|cdo)\b/, 5, 'Head/Director'],
];

export interface Seniority {
  /** The highest level the title names (a candidate's "Senior Staff" is staff). */
  level: number;
  /** The lowest it names: a role titled "Staff / Senior" accepts either. */
  minLevel: number;
  label: string;
}

/** Seniority stated by a title (0 intern … 5 principal/director), or null if it states none. */
export function seniorityOf(title: string): Seniority | null {
  const text = title.toLowerCase();
  const found = SENIORITY.filter(([pattern]) => pattern.test(text));
  if (found.length === 0) return null;
  const levels = found.map(([, level]) => level);
  const level = Math.max(...levels);
  const minLevel = Math.min(...levels);
  const label = found.filter(([, l]) => l === level || l === minLevel).map(([, , label]) => label);
  return { level, minLevel, label: [...new Set(label)].join(' or ') };
}

const PHRASES: [RegExp, string][] = [
  [/\bmachine[- ]learning\b/g, 'ml'],
  [/\bartificial intelligence\b/g, 'ai'],
  [/\bsite reliability\b/g, 'sre'],
  [/\buser experience\b/g, 'ux'],
  [/\buser interface\b/g, 'ui'],
  [/\bfull[- ]?stack\b/g, 'fullstack'],
  [/\bback[- ]?end\b|\bserver[- ]side\b/g, 'backend'],
  [/\bfront[- ]?end\b|\bclient[- ]side\b/g, 'frontend'],
  [/\bdev[- ]?ops\b/g, 'devops'],
  [/\bswe\b/g, 'software engineer'],
  [/\bsde\b/g, 'software engineer'],
  [/\bmle\b/g, 'ml engineer'],
  [/\bdata warehouse\b/g, 'data'],
  [/\bbusiness intelligence\b|\bbi\b/g, 'analytics'],
];

const WORDS: Record<string, string> = {
  developer: 'engineer',
  programmer: 'engineer',
  eng: 'engineer',
  engineering: 'engineer',
  dev: 'engineer',
  infra: 'infrastructure',
  designers: 'designer',
  design: 'designer',
  scientists: 'scientist',
  science: 'scientist',
  analysts: 'analyst',
  analytics: 'analytics',
  researcher: 'researcher',
  research: 'researcher',
};

const DROP = new Set([
  'senior',
  'sr',
  'junior',
  'jr',
  'staff',
  'lead',
  'principal',
  'head',
  'director',
  'vp',
  'chief',
  'intern',
  'associate',
  'mid',
  'level',
  'ii',
  'iii',
  'iv',
  'i',
  'of',
  'and',
  'the',
  'at',
  'for',
  'in',
  'a',
  'an',
  'to',
  'with',
  'remote',
  'contract',
  'freelance',
  'team',
  'tech',
  'technical',
  'entry',
  'graduate',
  'trainee',
]);

/** Role nouns say what kind of work; they weigh less than what the work is about. */
const ROLE_NOUNS = new Set(['manager', 'engineer', 'designer', 'scientist', 'analyst', 'researcher', 'architect', 'consultant', 'specialist', 'administrator']);
/** "engineer", "designer", …: what kind of work, not what it is about. */
export function isRoleNoun(word: string): boolean {
  return ROLE_NOUNS.has(word);
}

/** Words too generic to set two titles apart. */
const GENERIC = new Set(['software', 'systems', 'applications', 'application', 'product']);

const RELATED: [string, string, number][] = [
  ['backend', 'fullstack', 0.6],
  ['frontend', 'fullstack', 0.6],
  ['backend', 'platform', 0.5],
  ['backend', 'api', 0.7],
  ['backend', 'frontend', 0.2],
  ['infrastructure', 'platform', 0.8],
  ['infrastructure', 'devops', 0.6],
  ['infrastructure', 'sre', 0.6],
  ['platform', 'devops', 0.6],
  ['platform', 'sre', 0.6],
  ['devops', 'sre', 0.8],
  ['ml', 'ai', 0.9],
  ['ml', 'mlops', 0.8],
  ['ml', 'deep', 0.6],
  ['ml', 'data', 0.3],
  ['data', 'analytics', 0.5],
  ['data', 'etl', 0.7],
  ['data', 'bi', 0.5],
  ['ux', 'ui', 0.7],
  ['ux', 'product', 0.7],
  ['ui', 'product', 0.6],
  ['ux', 'interaction', 0.7],
  ['product', 'interaction', 0.6],
  ['ux', 'visual', 0.4],
  ['product', 'visual', 0.4],
  ['ux', 'researcher', 0.4],
  ['designer', 'researcher', 0.4],
  ['engineer', 'architect', 0.6],
  ['scientist', 'engineer', 0.2],
  ['analyst', 'scientist', 0.5],
  ['analyst', 'engineer', 0.2],
  ['graphic', 'visual', 0.6],
];

const relatedness = new Map<string, number>();
for (const [a, b, v] of RELATED) {
  relatedness.set(`${a}|${b}`, v);
  relatedness.set(`${b}|${a}`, v);
}

export function titleWords(title: string): string[] {
  let text = title.toLowerCase().replace(/\bat\s+.*$/, ''); // "Engineer at Acme": the company is not the title
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  const words = text
    .split(/[^a-z0-9+#]+/)
    .map((w) => WORDS[w] ?? w)
    .filter((w) => w.length > 0 && !DROP.has(w));
  return [...new Set(words)];
}

function weight(word: string): number {
  if (ROLE_NOUNS.has(word)) return 1;
  if (GENERIC.has(word)) return 0.5;
  return 1.5;
}

function wordSimilarity(a: string, b: string): number {
  return a === b ? 1 : (relatedness.get(`${a}|${b}`) ?? 0);
}

/** 0 (unrelated) … 1 (the same title, whatever the seniority). */
export function titleSimilarity(a: string, b: string): number {
  const x = titleWords(a);
  const y = titleWords(b);
  if (x.length === 0 || y.length === 0) return 0;
  const side = (from: string[], to: string[]) => from.reduce((sum, w) => sum + weight(w) * Math.max(...to.map((v) => wordSimilarity(w, v))), 0);
  const total = x.reduce((s, w) => s + weight(w), 0) + y.reduce((s, w) => s + weight(w), 0);
  return (side(x, y) + side(y, x)) / total;
}
