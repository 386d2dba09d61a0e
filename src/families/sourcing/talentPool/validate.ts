/**
 * Validation of imported profiles, entry by entry, so a bulk import can say which entry and
 * which field is wrong. All-or-nothing: the caller imports nothing when any entry has errors.
 */
import { FormatRegistry } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ErrorDetail } from '../../../errors.ts';
import { identitiesOf, linkedInEntry } from './identity.ts';
import { Resume } from './schemas.ts';

// The same rule as the server's JSON-schema validator: something@something.tld, no spaces.
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value));

const check = TypeCompiler.Compile(Resume);

export const MAX_PROFILES_PER_IMPORT = 1000;

function pointerToField(path: string): string {
  return path
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

/** Problems with one entry; empty when it can be imported. */
export function resumeProblems(value: unknown, entry: number | undefined): ErrorDetail[] {
  const at = (field: string, message: string): ErrorDetail => (entry === undefined ? { field, message } : { entry, field, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [at('', 'must be a JSON Resume object')];
  const problems: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const error of check.Errors(value)) {
    const field = pointerToField(error.path) || '(document)';
    if (seen.has(field)) continue; // one message per field is enough
    seen.add(field);
    problems.push(at(field, error.message));
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) return problems;
  const resume = value as Resume;
  const linkedIn = linkedInEntry(resume);
  const ids = identitiesOf(resume);
  if (linkedIn && !ids.linkedin) {
    problems.push(at(`basics.profiles[${linkedIn.index}].url`, 'must be a LinkedIn profile URL like https://www.linkedin.com/in/<name>'));
  }
  if (ids.emails.length === 0 && !linkedIn) {
    problems.push(at('basics', 'needs basics.email or a LinkedIn URL in basics.profiles, so a re-import finds the same person'));
  }
  return problems;
}
