/** Accents dropped (NFKD, marks removed): what PostgreSQL's index is fed, as FTS5's remove_diacritics does. */
export function foldAccents(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '');
}
