/**
 * Who a profile is: the identities a re-import is matched on. Two imports are the same person
 * when they share an email (compared case-insensitively) or a LinkedIn profile URL (compared
 * by its `/in/<slug>` path, whatever the host spelling, query or trailing slash).
 */
import type { Resume } from './schemas.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const LINKEDIN = /^(?:https?:\/\/)?(?:[a-z]{2,3}\.)?linkedin\.com\/in\/([^/?#\s]+)\/?(?:[?#].*)?$/i;

/** `https://www.linkedin.com/in/<slug>` for any spelling of a LinkedIn profile URL, or null. */
export function normalizeLinkedIn(url: string): string | null {
  const match = LINKEDIN.exec(url.trim());
  if (!match) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  return `https://www.linkedin.com/in/${encodeURIComponent(slug.toLowerCase())}`;
}

/** The LinkedIn entry of `basics.profiles`, as written (network "LinkedIn" or a linkedin.com URL). */
export function linkedInEntry(resume: Resume): { url: string; index: number } | null {
  const profiles = resume.basics.profiles ?? [];
  for (const [index, p] of profiles.entries()) {
    if (p.url && (/linkedin/i.test(p.network ?? '') || /linkedin\.com/i.test(p.url))) return { url: p.url, index };
  }
  return null;
}

export interface Identities {
  emails: string[];
  linkedin: string | null;
}

export function identitiesOf(resume: Resume): Identities {
  const entry = linkedInEntry(resume);
  return {
    emails: resume.basics.email ? [normalizeEmail(resume.basics.email)] : [],
    linkedin: entry ? normalizeLinkedIn(entry.url) : null,
  };
}
