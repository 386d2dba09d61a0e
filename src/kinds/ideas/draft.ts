/**
 * One platform's draft of an idea: the prompt (the idea, the knowledge-base passages found for
 * it, and the platform's rules), the provider's text, and the fit into the platform's limits.
 *
 * Whatever the provider writes, the draft keeps the limits (platforms.ts): X 280 per post (or
 * 25,000 in `premium`), a `thread` of exactly `threadCount` posts numbered "1/N", LinkedIn 3,000,
 * Threads 500, Instagram 2,200, YouTube a title ≤ 100 and a description ≤ 5,000; `targetLength`
 * lowers the limit when given. The passages used are cited (`Sources:` and `sources`).
 */
import type { TextProvider } from '../../llm/provider.ts';
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
  content: string;
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
    ...(passages.length > 0 ? ['Sources:', ...passages.map((p, i) => `  [${i + 1}] ${p.uri}`)] : []),
  ].join('\n');
  return { system, prompt };
}

/** Exactly `n` posts within `max`: by sentences when there are enough, else by words. */
function distribute(text: string, n: number, max: number, measure: (t: string) => number): string[] {
  const parts = sentences(text);
  const units = parts.length >= n ? parts : text.split(/\s+/).filter(Boolean);
  const buckets: string[][] = Array.from({ length: n }, () => []);
  units.forEach((unit, i) => buckets[Math.min(n - 1, Math.floor((i * n) / Math.max(units.length, 1)))]!.push(unit));
  return buckets.map((b, i) => truncate(b.join(' ') || `(${i + 1})`, max, measure));
}

/** Whole sentences, joined by `joiner`, as many as fit; a first sentence too long is cut at a word. */
function fitSentences(body: string, limit: number, measure: (t: string) => number, joiner: string): string {
  const parts = sentences(body);
  const fit = partsThatFit(parts.map((p) => measure(p)), 0, measure(joiner), limit);
  return parts.slice(0, fit).join(joiner) || truncate(body, limit, measure);
}

/** The body within the limit, with a "Sources:" line when there is room for it (taken from the body if need be). */
function withSources(body: string, sources: string[], limit: number, measure: (t: string) => number, joiner = ' ', separator = '\n\n'): string {
  const line = sources.length > 0 ? `Sources: ${sources.join(' ')}` : '';
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
  const prose = text.replace(/\s+/g, ' ').trim() || idea.title;

  if (request.platform === 'twitter' && mode === 'thread') {
    const n = request.threadCount ?? 3;
    const prefix = (i: number) => `${i + 1}/${n} `;
    const posts = distribute(prose, n, limit - measure(prefix(n - 1)), measure).map((p, i) => `${prefix(i)}${p}`);
    const last = posts[n - 1]!;
    const line = sources.length > 0 ? `\nSources: ${sources.join(' ')}` : '';
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
    const tags = [...new Set(idea.title.toLowerCase().match(/\p{L}{4,}/gu) ?? [])].slice(0, 3).map((w) => `#${w}`).join(' ');
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
  const sources = [...new Set([...passages.map((p) => p.uri), ...(idea.citations ?? []).flatMap((c) => (c.uri ? [c.uri] : []))])];
  return { platform: request.platform, mode, ...fitDraft(generated.text, idea, request, sources), sources, tokensUsed: generated.tokensUsed };
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
