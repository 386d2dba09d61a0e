/**
 * Query words reduced to terms that cannot change the shape of a full-text query, shared by
 * every search (profiles, knowledge-base passages); accents folded as the store's indexes fold them.
 */
import { foldAccents } from './store/foldAccents.ts';

/**
 * Query words as index terms: lowercase, accents dropped (as the index drops them), and only
 * letters and digits of any script kept — so no input can change the shape of the query.
 */
export function searchTerms(words: string[]): string[] {
  const term = (w: string) => foldAccents(w.toLowerCase()).replace(/[^\p{L}\p{N}]/gu, '');
  return [...new Set(words.map(term).filter((w) => w.length >= 2))].slice(0, 64);
}
