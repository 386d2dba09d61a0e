/**
 * Token counts with a real tokenizer's data (cl100k_base, shipped by js-tiktoken), so
 * `tokensUsed` means the same for the local provider as for a remote one that reports its own usage.
 *
 * Guarantees: the count is linear in the text. js-tiktoken's own byte-pair merge rescans every
 * pair of a piece after each merge (quadratic, with a string built per pair): a run of 3,000
 * combining accents is one 6,000-byte piece and holds the event loop for 6.5 s. Here the
 * merge is the same algorithm (lowest rank first, leftmost on a tie) with each pair's rank kept
 * and only the two neighbours of a merge looked up again, and a piece is merged in windows of
 * at most `WINDOW_BYTES`. Pieces up to that size (every ordinary word) count exactly as
 * js-tiktoken's `encode` does; a longer piece may count a token or so more per window.
 * Not guaranteed: special tokens. `<|endoftext|>` in a text is counted as ordinary text (js-tiktoken
 * would throw).
 *
 * The ranks are loaded on the first count only (the package's main entry loads every encoding:
 * about 19 MB in every process, counted by `npm run bench -- scale`'s RSS).
 */
import { createRequire } from 'node:module';
import type { TiktokenBPE } from 'js-tiktoken/lite';

/** A piece is merged in windows of at most this many bytes (≈ 256² cheap steps each). */
export const WINDOW_BYTES = 256;

/** The rank of a byte sequence (given as a latin1 string, one char per byte), if it is a token. */
export type RankOf = (bytes: string) => number | undefined;

const require = createRequire(import.meta.url);
let loaded: { pattern: RegExp; rankOf: RankOf } | null = null;

function cl100k(): { pattern: RegExp; rankOf: RankOf } {
  if (loaded) return loaded;
  const data = require('js-tiktoken/ranks/cl100k_base') as TiktokenBPE;
  const ranks = new Map<string, number>();
  // js-tiktoken's format: lines of "<name> <first rank> <base64 token> <base64 token> …".
  for (const line of data.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, first, ...tokens] = line.split(' ');
    const offset = Number.parseInt(first!, 10);
    tokens.forEach((token, i) => ranks.set(Buffer.from(token, 'base64').toString('latin1'), offset + i));
  }
  loaded = { pattern: new RegExp(data.pat_str, 'gu'), rankOf: (bytes) => ranks.get(bytes) };
  return loaded;
}

/** How many tokens byte-pair encoding makes of `piece` (latin1, one char per byte). */
export function pieceTokenCount(piece: string, rankOf: RankOf): number {
  if (piece.length <= 1) return piece.length;
  if (rankOf(piece) !== undefined) return 1;
  // Part k is piece[bounds[k], bounds[k + 1]); pairRanks[k] is the rank of parts k and k + 1 joined.
  const bounds = Array.from({ length: piece.length + 1 }, (_, i) => i);
  const pairRank = (k: number): number => (k + 2 < bounds.length ? (rankOf(piece.slice(bounds[k], bounds[k + 2])) ?? Infinity) : Infinity);
  const pairRanks = Array.from({ length: piece.length - 1 }, (_, k) => pairRank(k));
  for (;;) {
    let at = -1;
    let best = Infinity;
    for (let k = 0; k < pairRanks.length; k++) {
      if (pairRanks[k]! < best) {
        best = pairRanks[k]!;
        at = k;
      }
    }
    if (at < 0) break;
    bounds.splice(at + 1, 1);
    pairRanks.splice(at, 1);
    if (at < pairRanks.length) pairRanks[at] = pairRank(at);
    if (at > 0) pairRanks[at - 1] = pairRank(at - 1);
  }
  return bounds.length - 1;
}

/** `countTokens` with the ranks given: for tests that count the work done. */
export function countTokensWith(text: string, pattern: RegExp, rankOf: RankOf): number {
  let count = 0;
  for (const match of text.matchAll(pattern)) {
    const bytes = Buffer.from(match[0], 'utf8').toString('latin1');
    for (let start = 0; start < bytes.length; start += WINDOW_BYTES) count += pieceTokenCount(bytes.slice(start, start + WINDOW_BYTES), rankOf);
  }
  return count;
}

export function countTokens(text: string): number {
  const { pattern, rankOf } = cl100k();
  return countTokensWith(text, pattern, rankOf);
}

/** The cl100k split pattern and ranks, for tests. */
export function cl100kForTests(): { pattern: RegExp; rankOf: RankOf } {
  return cl100k();
}
