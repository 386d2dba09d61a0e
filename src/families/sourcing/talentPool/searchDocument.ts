/**
 * What the full-text index holds for a profile: its headline, its titles, its skills as
 * canonical tokens (so a search for Kubernetes finds "k8s"), and its highlights and summaries.
 */
import { skillToken, skillsInText, skillsOfListEntry } from '../scoring/skills.ts';
import type { Resume } from './schemas.ts';

export interface SearchDocument {
  headline: string;
  titles: string;
  skills: string;
  highlights: string;
}

export function searchDocumentOf(resume: Resume): SearchDocument {
  const work = resume.work ?? [];
  const highlights = [resume.basics.summary, ...work.flatMap((w) => [w.summary, w.description, ...(w.highlights ?? [])])].filter(Boolean).join('\n');
  const titles = work
    .map((w) => w.position)
    .filter(Boolean)
    .join('\n');
  const headline = resume.basics.label ?? '';
  const skills = new Set<string>();
  for (const entry of resume.skills ?? []) {
    for (const text of [entry.name, ...(entry.keywords ?? [])]) {
      if (!text) continue;
      const known = skillsOfListEntry(text);
      for (const s of known.length > 0 ? known : [text]) skills.add(skillToken(s));
    }
  }
  for (const m of skillsInText([headline, titles, highlights].join('\n'))) skills.add(skillToken(m.skill));
  skills.delete('');
  return { headline, titles, skills: [...skills].join(' '), highlights };
}
