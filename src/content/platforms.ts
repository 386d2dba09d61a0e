/**
 * The platforms' limits, counted the way each platform counts.
 *
 * - X/Twitter: 280 per post, weighted as twitter-text does: most Latin, Greek, Cyrillic and
 *   punctuation characters count 1, other characters (CJK, …) 2, an emoji sequence 2, and every
 *   URL 23. `premium` mode allows 25,000. `thread` mode writes `threadCount` numbered posts.
 * - LinkedIn 3,000, Threads 500, Instagram 2,200 (caption): counted in characters as people see
 *   them (grapheme clusters).
 * - YouTube: a title of at most 100 and a description of at most 5,000.
 *
 * Every function here is linear in its text. None measures prefix after prefix (quadratic: 39 s
 * to fit 1,700 short sentences one by one into X premium's 25,000): a text is measured once, as a
 * weight per grapheme cluster or per sentence, and cuts are found on the running sums. A sum
 * is never below the joined text's own count (see `clustersThatFit`), so what fits by the sums
 * fits. Intl.Segmenter is given at most `SEGMENT_CHUNK` characters at a time: on one long
 * text its iteration grows quadratic (Node 20: 80,000 characters at once 2.8 s, in chunks 0.1 s).
 */
import type { Mode, Platform } from './schemas.ts';

export { MODES, PLATFORMS, type Mode, type Platform } from './schemas.ts';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const URL_PATTERN = /https?:\/\/\S+/g;
const TWITTER_URL_WEIGHT = 23;

/** Intl.Segmenter is given at most this many UTF-16 units at a time. */
const SEGMENT_CHUNK = 1024;

/** Characters no grapheme cluster continues across: letters, digits, punctuation, spaces of simple scripts. */
const SIMPLE = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Nd}\p{P}\p{Zs}]$/u;
const MARK = /\p{M}/u;

function isSimple(unit: string | undefined): boolean {
  return unit !== undefined && SIMPLE.test(unit) && !MARK.test(unit);
}

/**
 * Where to end a chunk near `end`: between two simple characters (a certain cluster boundary)
 * if one is found in the 64 units before it, else at `end` itself (not inside a surrogate pair).
 * A cluster cut there counts as two, so counts can only grow and the limits still hold.
 */
function chunkEnd(text: string, start: number, end: number): number {
  for (let i = end; i > Math.max(start + 1, end - 64); i--) if (isSimple(text[i - 1]) && isSimple(text[i])) return i;
  const unit = text.charCodeAt(end);
  return unit >= 0xdc00 && unit <= 0xdfff ? end - 1 : end;
}

function graphemes(text: string): string[] {
  const clusters: string[] = [];
  for (let start = 0; start < text.length;) {
    const end = start + SEGMENT_CHUNK >= text.length ? text.length : chunkEnd(text, start, start + SEGMENT_CHUNK);
    for (const s of segmenter.segment(text.slice(start, end))) clusters.push(s.segment);
    start = end;
  }
  return clusters;
}

/** twitter-text's light ranges: these code points count 1, the rest 2. */
function twitterCodePointWeight(cp: number): number {
  return (cp >= 0 && cp <= 4351) || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247) ? 1 : 2;
}

function twitterClusterWeight(cluster: string): number {
  if (/\p{Extended_Pictographic}/u.test(cluster)) return 2;
  let weight = 0;
  for (const ch of cluster) weight += twitterCodePointWeight(ch.codePointAt(0)!);
  return weight;
}

export function twitterLength(text: string): number {
  let length = 0;
  const withoutUrls = text.replace(URL_PATTERN, () => {
    length += TWITTER_URL_WEIGHT;
    return '';
  });
  for (const g of graphemes(withoutUrls)) length += twitterClusterWeight(g);
  return length;
}

export function characterLength(text: string): number {
  return graphemes(text).length;
}

/** One cluster's weight under `measure`, without segmenting it again for this module's measures. */
function clusterWeigher(measure: (t: string) => number): (cluster: string) => number {
  if (measure === characterLength) return () => 1;
  if (measure === twitterLength) return twitterClusterWeight;
  return measure;
}

/**
 * The grapheme clusters of `text`, and how many of the first fit within `room` by their running
 * sum of weights. The sum of the first k is at least `measure` of those k joined: a URL's whole
 * measure goes on its first cluster and nothing on the rest (on X a URL weighs 23 however long,
 * and a URL cut short weighs at most that), every other cluster is weighed on its own. Stops
 * weighing at the first cluster that does not fit.
 */
export function clustersThatFit(text: string, room: number, measure: (t: string) => number): { clusters: string[]; fit: number } {
  const clusters = graphemes(text);
  const weigh = clusterWeigher(measure);
  const urls = [...text.matchAll(URL_PATTERN)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
  let used = 0;
  let offset = 0;
  let url = 0;
  let fit = 0;
  for (; fit < clusters.length; fit++) {
    const cluster = clusters[fit]!;
    while (url < urls.length && urls[url]!.end <= offset) url++;
    const inUrl = url < urls.length && urls[url]!.start <= offset;
    const weight = inUrl ? (urls[url]!.start === offset ? measure(urls[url]!.text) : 0) : weigh(cluster);
    if (used + weight > room) break;
    used += weight;
    offset += cluster.length;
  }
  return { clusters, fit };
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

/** `cut` with an ellipsis, at its last word if that keeps more than half of it. */
function withEllipsis(cut: string): string {
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${(atWord.length > cut.length / 2 ? atWord : cut).trimEnd()}…`;
}

/**
 * The longest start of `text` within `max` by `measure`, cut at a word, with an ellipsis if cut.
 * Found on the running sum of cluster weights (one pass); a measure those weights do not bound
 * (not one of this module's: one that counts more joined than apart) is searched for by
 * halving instead, n·log n.
 */
export function truncate(text: string, max: number, measure: (t: string) => number): string {
  if (measure(text) <= max) return text;
  const { clusters, fit } = clustersThatFit(text, max - measure('…'), measure);
  const fitted = withEllipsis(clusters.slice(0, fit).join(''));
  if (measure(fitted) <= max) return fitted;
  let lo = 0;
  let hi = clusters.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(`${clusters.slice(0, mid).join('').trimEnd()}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  return withEllipsis(clusters.slice(0, lo).join(''));
}

/**
 * How many of `parts`, from `from` on and joined by `joiner` (whitespace), fit within `max`, by
 * the sum of each part's measure and the joiners'. The sum is never below the joined text's
 * measure: clusters and URLs end at whitespace, except a part that starts with a combining
 * mark, which joins the space before it and so counts less joined than apart.
 */
export function partsThatFit(measured: number[], from: number, joinerWeight: number, max: number): number {
  let used = 0;
  let k = 0;
  while (from + k < measured.length) {
    const next = used + (k > 0 ? joinerWeight : 0) + measured[from + k]!;
    if (next > max) break;
    used = next;
    k++;
  }
  return k;
}

/** Sentences packed greedily into as few posts as fit, each within `max` (a sentence too long is truncated). */
export function pack(text: string, max: number, measure: (t: string) => number): string[] {
  const parts = sentences(text);
  const measured = parts.map((p) => measure(p));
  const posts: string[] = [];
  for (let i = 0; i < parts.length;) {
    const k = partsThatFit(measured, i, measure(' '), max);
    posts.push(k === 0 ? truncate(parts[i]!, max, measure) : parts.slice(i, i + k).join(' '));
    i += Math.max(k, 1);
  }
  return posts;
}
