/**
 * One platform's draft of an idea: the prompt (the idea, the knowledge-base passages found for
 * it, and the platform's rules), the provider's text, and the fit into the platform's limits.
 *
 * Whatever the provider writes, the draft keeps the limits (platforms.ts): X 280 per post (or
 * 25,000 in `premium`), a `thread` of exactly `threadCount` posts numbered "1/N", LinkedIn 3,000,
 * Threads 500, Instagram 2,200, YouTube a title ≤ 100 and a description ≤ 5,000; `targetLength`
 * lowers the limit when given. The passages used are cited: `sources` lists their URIs, and the
 * post's one "Sources:" line names each by its document's title, with the URL for a document
 * from the web (`upload://doc_…` is never shown to readers). A "Sources:" line the provider
 * wrote itself is dropped, so there is one. No post is only a heading: a sentence too long to fit
 * whole is cut at a word rather than left out, and a thread post never holds a heading alone.
 */
import type { TextProvider } from '../llm/provider.ts';
import { characterLength, partsThatFit, rulesFor, sentences, truncate, type Mode, type Platform } from './platforms.ts';

export interface IdeaInput {
  title: string;
  hook?: string;
  angle?: string;
  reasoning?: string;
  citations?: { snippet: string; docId?: string; uri?: string }[];
}

export interface PlatformRequest {
  platform: Platform;
  mode?: Mode;
  targetLength?: number;
  threadCount?: number;
}

export interface PassageInput {
  uri: string;
  /** The document's title, if it has one. */
  title?: string | null;
  content: string;
}

const isWebUri = (uri: string) => /^https?:\/\//i.test(uri);

/** How a post names a source: the document's title (and its URL, for a document from the web). */
export function sourceLabel(passage: Pick<PassageInput, 'uri' | 'title'>): string {
  const title = passage.title?.replace(/\s+/g, ' ').trim();
  if (isWebUri(passage.uri)) return title ? `${title} (${passage.uri})` : passage.uri;
  if (title) return title;
  return passage.uri.startsWith('upload://') ? 'an uploaded document' : passage.uri;
}

/** Whose voice: an agent's tone and standing instructions (ideas have none). */
export interface Voice {
  tone: string;
  instructions?: string;
}

export interface Draft {
  platform: Platform;
  mode: Mode;
  title?: string;
  posts: string[];
  sources: string[];
  tokensUsed: number;
}

const DEFAULT_MODE: Record<Platform, Mode> = { twitter: 'short', linkedin: 'standard', instagram: 'standard', youtube: 'video', threads: 'standard' };
const LABEL: Record<Platform, string> = { twitter: 'X', linkedin: 'LinkedIn', instagram: 'Instagram', youtube: 'YouTube', threads: 'Threads' };

export function buildPrompt(idea: IdeaInput, passages: PassageInput[], request: PlatformRequest, voice?: Voice): { system: string; prompt: string } {
  const mode = request.mode ?? DEFAULT_MODE[request.platform];
  const rules = rulesFor(request.platform, mode);
  const limit = Math.min(request.targetLength ?? rules.maxLength, rules.maxLength);
  const shape =
    request.platform === 'twitter' && mode === 'thread'
      ? `a thread of exactly ${request.threadCount ?? 3} posts, each at most ${limit} characters`
      : request.platform === 'youtube'
        ? `a video title of at most ${rules.titleMax} characters and a description of at most ${limit}`
        : `one post of at most ${limit} characters`;
  const system = [
    `You write ${LABEL[request.platform]} posts for a company's social accounts: ${shape}.`,
    'Use only the material given; do not invent facts, numbers or quotes. Plain text, no markdown.',
    ...(voice ? [`Write in a ${voice.tone} tone.`] : []),
    ...(voice?.instructions?.trim() ? [`The account's standing instructions: ${voice.instructions.trim()}`] : []),
  ].join(' ');
  const material = [
    idea.hook ?? idea.title,
    idea.angle,
    idea.reasoning,
    ...(idea.citations ?? []).map((c) => c.snippet),
    ...passages.flatMap((p) => sentences(p.content).slice(0, 2)),
  ].filter((line): line is string => Boolean(line && line.trim()));
  const prompt = [
    `Idea: ${idea.title}`,
    '',
    'Material:',
    ...[...new Set(material.map((m) => m.replace(/\s+/g, ' ').trim()))].map((m) => `- ${m}`),
    '',
    ...(passages.length > 0 ? ['Sources:', ...passages.map((p, i) => `  [${i + 1}] ${sourceLabel(p)}`)] : []),
  ].join('\n');
  return { system, prompt };
}

/** A heading-like fragment ("Pricing:"), too short to be a post of its own. */
const HEADING_ONLY = 40;

/** Exactly `n` posts within `max`: by sentences when there are enough, else by words. */
function distribute(text: string, n: number, max: number, measure: (t: string) => number): string[] {
  // A short sentence is joined to the next, so no post of the thread is a heading alone.
  const parts = sentences(text).reduce<string[]>((joined, sentence) => {
    const last = joined[joined.length - 1];
    if (last !== undefined && measure(last) < HEADING_ONLY) joined[joined.length - 1] = `${last} ${sentence}`;
    else joined.push(sentence);
    return joined;
  }, []);
  const units = parts.length >= n ? parts : text.split(/\s+/).filter(Boolean);
  const buckets: string[][] = Array.from({ length: n }, () => []);
  units.forEach((unit, i) => buckets[Math.min(n - 1, Math.floor((i * n) / Math.max(units.length, 1)))]!.push(unit));
  return buckets.map((b, i) => truncate(b.join(' ') || `(${i + 1})`, max, measure));
}

/**
 * Whole sentences, joined by `joiner`, as many as fit; then, where the room left allows, the next
 * sentence cut at a word, so a short first sentence (a heading) is never all there is.
 */
function fitSentences(body: string, limit: number, measure: (t: string) => number, joiner: string): string {
  const parts = sentences(body);
  const fit = partsThatFit(
    parts.map((p) => measure(p)),
    0,
    measure(joiner),
    limit,
  );
  const whole = parts.slice(0, fit).join(joiner);
  if (!whole) return truncate(body, limit, measure);
  const room = limit - measure(whole) - measure(joiner);
  if (fit < parts.length && room >= HEADING_ONLY) return `${whole}${joiner}${truncate(parts[fit]!, room, measure)}`;
  return whole;
}

/** The provider's text without any "Sources:" line of its own: the draft adds the one line. */
function withoutSourcesLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*sources?\s*:/i.test(line))
    .join('\n')
    .replace(/(^|[.!?…]\s+)sources?\s*:[^\n]*$/i, '$1');
}

/** The body within the limit, with a "Sources:" line when there is room for it (taken from the body if need be). */
function withSources(body: string, sources: string[], limit: number, measure: (t: string) => number, joiner = ' ', separator = '\n\n'): string {
  const line = sources.length > 0 ? `Sources: ${sources.join('; ')}` : '';
  const fitted = fitSentences(body, limit, measure, joiner);
  if (line && measure(`${fitted}${separator}${line}`) <= limit) return `${fitted}${separator}${line}`;
  if (line) {
    const room = limit - measure(`${separator}${line}`);
    if (room > limit / 2) return `${fitSentences(body, room, measure, joiner)}${separator}${line}`;
  }
  return fitted;
}

/** Fits the provider's text to the platform. */
export function fitDraft(text: string, idea: IdeaInput, request: PlatformRequest, sources: string[]): Pick<Draft, 'title' | 'posts'> {
  const mode = request.mode ?? DEFAULT_MODE[request.platform];
  const rules = rulesFor(request.platform, mode);
  const limit = Math.min(request.targetLength ?? rules.maxLength, rules.maxLength);
  const { measure } = rules;
  const prose = withoutSourcesLines(text).replace(/\s+/g, ' ').trim() || idea.title;

  if (request.platform === 'twitter' && mode === 'thread') {
    const n = request.threadCount ?? 3;
    const prefix = (i: number) => `${i + 1}/${n} `;
    const posts = distribute(prose, n, limit - measure(prefix(n - 1)), measure).map((p, i) => `${prefix(i)}${p}`);
    const last = posts[n - 1]!;
    const line = sources.length > 0 ? `\nSources: ${sources.join('; ')}` : '';
    if (line && measure(last + line) <= limit) posts[n - 1] = last + line;
    return { posts };
  }
  if (request.platform === 'youtube') {
    return { title: truncate(idea.title, rules.titleMax!, characterLength), posts: [withSources(prose, sources, limit, measure)] };
  }
  if (request.platform === 'linkedin') {
    return { posts: [withSources(prose, sources, limit, measure, '\n\n')] };
  }
  if (request.platform === 'instagram') {
    const tags = [...new Set(idea.title.toLowerCase().match(/\p{L}{4,}/gu) ?? [])]
      .slice(0, 3)
      .map((w) => `#${w}`)
      .join(' ');
    const body = withSources(prose, sources, limit, measure);
    return { posts: [tags && measure(`${body}\n\n${tags}`) <= limit ? `${body}\n\n${tags}` : body] };
  }
  return { posts: [withSources(prose, sources, limit, measure, ' ', ' ')] };
}

export async function writeDraft(
  provider: TextProvider,
  idea: IdeaInput,
  passages: PassageInput[],
  request: PlatformRequest,
  signal?: AbortSignal,
  voice?: Voice,
): Promise<Draft> {
  const mode = request.mode ?? DEFAULT_MODE[request.platform];
  const { system, prompt } = buildPrompt(idea, passages, request, voice);
  const generated = await provider.generate({ system, prompt, maxTokens: 1200, signal });
  const cited = (idea.citations ?? []).flatMap((c) => (c.uri ? [{ uri: c.uri, title: null }] : []));
  const sources = [...new Set([...passages.map((p) => p.uri), ...cited.map((c) => c.uri)])];
  const labels = [...new Set([...passages, ...cited].map(sourceLabel))];
  return { platform: request.platform, mode, ...fitDraft(generated.text, idea, request, labels), sources, tokensUsed: generated.tokensUsed };
}

/** The seed's `enrichedContent`: every draft as text, one section per platform. */
export function enrichedContent(drafts: Draft[]): string {
  return drafts
    .map((d) => {
      const heading = `${LABEL[d.platform]} (${d.mode})`;
      const body = d.title ? `Title: ${d.title}\n\n${d.posts.join('\n\n')}` : d.posts.join('\n\n');
      return `${heading}\n${body}`;
    })
    .join('\n\n---\n\n');
}
