/**
 * The platforms' limits, counted the way each platform counts.
 *
 * - X/Twitter: 280 per post, weighted as twitter-text does: most Latin, Greek, Cyrillic and
 *   punctuation characters count 1, other characters (CJK, …) 2, an emoji sequence 2, and every
 *   URL 23. `premium` mode allows 25,000. `thread` mode writes `threadCount` numbered posts.
 * - LinkedIn 3,000, Threads 500, Instagram 2,200 (caption): counted in characters as people see
 *   them (grapheme clusters).
 * - YouTube: a title of at most 100 and a description of at most 5,000.
 */

export const PLATFORMS = ['twitter', 'linkedin', 'instagram', 'youtube', 'threads'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const MODES = ['short', 'premium', 'thread', 'standard', 'video'] as const;
export type Mode = (typeof MODES)[number];

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const URL_PATTERN = /https?:\/\/\S+/g;
const TWITTER_URL_WEIGHT = 23;

function graphemes(text: string): string[] {
  return [...segmenter.segment(text)].map((s) => s.segment);
}

/** twitter-text's light ranges: these code points count 1, the rest 2. */
function twitterCodePointWeight(cp: number): number {
  return (cp >= 0 && cp <= 4351) || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247) ? 1 : 2;
}

export function twitterLength(text: string): number {
  let length = 0;
  const withoutUrls = text.replace(URL_PATTERN, () => {
    length += TWITTER_URL_WEIGHT;
    return '';
  });
  for (const g of graphemes(withoutUrls)) {
    if (/\p{Extended_Pictographic}/u.test(g)) length += 2;
    else for (const ch of g) length += twitterCodePointWeight(ch.codePointAt(0)!);
  }
  return length;
}

export function characterLength(text: string): number {
  return graphemes(text).length;
}

export interface PlatformRules {
  /** Longest post (or caption, or description). */
  maxLength: number;
  measure(text: string): number;
  /** YouTube: the title's limit. */
  titleMax?: number;
}

export function rulesFor(platform: Platform, mode: Mode | undefined): PlatformRules {
  switch (platform) {
    case 'twitter':
      return { maxLength: mode === 'premium' ? 25_000 : 280, measure: twitterLength };
    case 'linkedin':
      return { maxLength: 3_000, measure: characterLength };
    case 'threads':
      return { maxLength: 500, measure: characterLength };
    case 'instagram':
      return { maxLength: 2_200, measure: characterLength };
    case 'youtube':
      return { maxLength: 5_000, measure: characterLength, titleMax: 100 };
  }
}

/** Splits prose into sentences (keeps their ending punctuation). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The longest start of `text` within `max` by `measure`, cut at a word, with an ellipsis if cut. */
export function truncate(text: string, max: number, measure: (t: string) => number): string {
  if (measure(text) <= max) return text;
  const parts = graphemes(text);
  let lo = 0;
  let hi = parts.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${parts.slice(0, mid).join('').trimEnd()}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  const cut = parts.slice(0, lo).join('');
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${(atWord.length > cut.length / 2 ? atWord : cut).trimEnd()}…`;
}

/** Sentences packed greedily into as few posts as fit, each within `max` (a sentence too long is truncated). */
export function pack(text: string, max: number, measure: (t: string) => number): string[] {
  const posts: string[] = [];
  let current = '';
  for (const sentence of sentences(text)) {
    const candidate = current ? `${current} ${sentence}` : sentence;
    if (measure(candidate) <= max) current = candidate;
    else {
      if (current) posts.push(current);
      current = measure(sentence) <= max ? sentence : truncate(sentence, max, measure);
    }
  }
  if (current) posts.push(current);
  return posts;
}
