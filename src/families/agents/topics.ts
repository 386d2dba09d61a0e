/**
 * What a run writes about. With a knowledge base: its passages, those the agent has not written
 * about yet first (most relevant to the instructions first, then in the knowledge base's order),
 * then those used longest ago, so consecutive runs do not repeat themselves until every passage
 * has had its turn. Without one (or with an empty one): the sentences of the instructions, taken
 * in turn across runs.
 *
 * Chosen when the run is triggered and kept in its input, so a retried post writes about the
 * same thing, and the next run, even one triggered while this one is queued, sees them as used.
 */
import { sentences, truncate, characterLength } from '../../content/platforms.ts';

export interface Passage {
  id: string;
  uri: string;
  /** The document's title; absent in runs planned before titles were kept. */
  title?: string | null;
  heading: string | null;
  content: string;
}

export interface Topic {
  title: string;
  /** The passage written about, when the topic comes from the knowledge base. */
  passage: Passage | null;
}

/**
 * `count` passages: unused first by relevance (then in the order given), then the least
 * recently used; repeats (in the same order) only when the knowledge base has fewer passages.
 */
export function pickPassages(passages: Passage[], count: number, lastUsed: Map<string, string>, relevance: Map<string, number>): Passage[] {
  if (passages.length === 0) return [];
  const order = new Map(passages.map((p, i) => [p.id, i]));
  const unused = passages
    .filter((p) => !lastUsed.has(p.id))
    .sort((a, b) => (relevance.get(b.id) ?? 0) - (relevance.get(a.id) ?? 0) || order.get(a.id)! - order.get(b.id)!);
  const used = passages
    .filter((p) => lastUsed.has(p.id))
    .sort((a, b) => lastUsed.get(a.id)!.localeCompare(lastUsed.get(b.id)!) || order.get(a.id)! - order.get(b.id)!);
  const ranked = [...unused, ...used];
  return Array.from({ length: count }, (_, i) => ranked[i % ranked.length]!);
}

/** A passage's title: its heading, else its first sentence, at most 120 characters. */
export function passageTitle(passage: Passage): string {
  const line = passage.heading?.trim() || sentences(passage.content)[0] || passage.content;
  return truncate(line.replace(/\s+/g, ' ').trim(), 120, characterLength);
}

/** `count` topics from the instructions' sentences, starting at `offset` (runs so far × posts per run). */
export function instructionTopics(instructions: string, count: number, offset: number): Topic[] {
  const lines = sentences(instructions.replace(/\s+/g, ' ').trim());
  if (lines.length === 0) return [];
  return Array.from({ length: count }, (_, i) => ({ title: truncate(lines[(offset + i) % lines.length]!, 300, characterLength), passage: null }));
}
