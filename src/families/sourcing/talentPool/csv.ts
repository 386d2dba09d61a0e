/**
 * CSV import: one row per position, rows of the same person (same email or LinkedIn URL)
 * merged into one JSON Resume document.
 *
 *   name,email,linkedin_url,headline,location,skills,company,position,start_date,end_date,highlights
 *
 * Only `name` and one of `email` / `linkedin_url` are required columns; the rest may be left out
 * or empty. `skills` is separated by `;`, `highlights` by `|`; `location` is "City, Region, CC";
 * dates are YYYY, YYYY-MM or YYYY-MM-DD, and an empty `end_date` means the position is current.
 * A person's name, headline and location come from their first row. Errors name the line
 * (`entry`, the header being line 1) and the column.
 */
import { parse } from 'csv-parse/sync';
import type { ErrorDetail } from '../../../errors.ts';
import { normalizeEmail, normalizeLinkedIn } from './identity.ts';
import type { Resume, ResumeWork } from './schemas.ts';

export const CSV_COLUMNS = [
  'name',
  'email',
  'linkedin_url',
  'headline',
  'location',
  'skills',
  'company',
  'position',
  'start_date',
  'end_date',
  'highlights',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string>>;

export interface CsvImport {
  /** Each merged person with the line of their first row. */
  resumes: { resume: Resume; line: number }[];
  errors: ErrorDetail[];
}

function splitList(value: string | undefined, separator: string): string[] {
  return (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

function locationOf(text: string): Resume['basics']['location'] {
  const parts = splitList(text, ',');
  if (parts.length === 0) return undefined;
  const last = parts[parts.length - 1]!;
  const countryCode = parts.length > 1 && /^[A-Za-z]{2}$/.test(last) ? last.toUpperCase() : undefined;
  const rest = countryCode ? parts.slice(0, -1) : parts;
  return { city: rest[0], ...(rest.length > 1 ? { region: rest.slice(1).join(', ') } : {}), ...(countryCode ? { countryCode } : {}) };
}

export function csvToResumes(text: string, maxPeople: number): CsvImport {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (error) {
    const e = error as { message: string; lines?: number };
    return { resumes: [], errors: [{ entry: e.lines, field: '(csv)', message: e.message }] };
  }
  const [header, ...rows] = records;
  if (!header) return { resumes: [], errors: [{ entry: 1, field: '(header)', message: 'the CSV is empty; the first line must be the header' }] };
  const columns = header.map((h) => h.toLowerCase());
  const errors: ErrorDetail[] = [];
  for (const column of columns) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
      errors.push({ entry: 1, field: column, message: `unknown column; the columns are ${CSV_COLUMNS.join(', ')}` });
    }
  }
  if (!columns.includes('name')) errors.push({ entry: 1, field: 'name', message: 'the header needs a name column' });
  if (!columns.includes('email') && !columns.includes('linkedin_url')) {
    errors.push({ entry: 1, field: 'email', message: 'the header needs an email or a linkedin_url column' });
  }
  if (errors.length > 0) return { resumes: [], errors };

  const people = new Map<string, { resume: Resume; line: number; skills: Set<string> }>();
  const byKey = new Map<string, string>();
  rows.forEach((cells, i) => {
    const line = i + 2;
    const row: Row = Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? '']));
    const email = row.email ? normalizeEmail(row.email) : '';
    const linkedin = row.linkedin_url ? normalizeLinkedIn(row.linkedin_url) : null;
    if (row.linkedin_url && !linkedin) {
      errors.push({ entry: line, field: 'linkedin_url', message: 'must be a LinkedIn profile URL like https://www.linkedin.com/in/<name>' });
      return;
    }
    const keys = [email && `email:${email}`, linkedin && `linkedin:${linkedin}`].filter((k): k is string => Boolean(k));
    if (keys.length === 0) {
      errors.push({ entry: line, field: 'email', message: 'each row needs an email or a linkedin_url' });
      return;
    }
    const id = keys.map((k) => byKey.get(k)).find(Boolean) ?? keys[0]!;
    keys.forEach((k) => byKey.set(k, id));
    let person = people.get(id);
    if (!person) {
      if (people.size >= maxPeople) {
        errors.push({ entry: line, field: '(csv)', message: `more than ${maxPeople} people in one import` });
        return;
      }
      const location = locationOf(row.location ?? '');
      const basics: Resume['basics'] = {
        name: row.name ?? '',
        ...(row.headline ? { label: row.headline } : {}),
        ...(row.email ? { email: row.email } : {}),
        ...(location ? { location } : {}),
        ...(row.linkedin_url ? { profiles: [{ network: 'LinkedIn', url: row.linkedin_url }] } : {}),
      };
      person = { resume: { basics, work: [] }, line, skills: new Set() };
      people.set(id, person);
    }
    splitList(row.skills, ';').forEach((s) => person.skills.add(s));
    if (row.company || row.position) {
      const work: ResumeWork = {
        ...(row.company ? { name: row.company } : {}),
        ...(row.position ? { position: row.position } : {}),
        ...(row.start_date ? { startDate: row.start_date } : {}),
        ...(row.end_date ? { endDate: row.end_date } : {}),
        ...(row.highlights ? { highlights: splitList(row.highlights, '|') } : {}),
      };
      person.resume.work!.push(work);
    }
  });
  const resumes = [...people.values()].map(({ resume, line, skills }) => ({
    resume: skills.size > 0 ? { ...resume, skills: [{ name: 'Skills', keywords: [...skills] }] } : resume,
    line,
  }));
  return { resumes, errors };
}
