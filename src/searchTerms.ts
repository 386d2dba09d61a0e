/**
 * Text as full-text search sees it, shared by every index (profiles, knowledge-base passages)
 * and every query: accents folded the same way on both databases, and query words reduced to
 * terms that cannot change the shape of a query.
 */

/** Accents dropped (NFKD, marks removed): what PostgreSQL's index is fed, as FTS5's remove_diacritics does. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}

/**
 * Query words as index terms: lowercase, accents dropped (as the index drops them), and only
 * letters and digits of any script kept — so no input can change the shape of the query.
 */
export function searchTerms(words: string[]): string[] {
  const term = (w: string) => foldAccents(w.toLowerCase()).replace(/[^\p{L}\p{N}]/gu, '');
  return [...new Set(words.map(term).filter((w) => w.length >= 2))].slice(0, 64);
}
