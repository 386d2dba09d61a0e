/**
 * Token counts with a real tokenizer (cl100k_base, via js-tiktoken), so `tokensUsed` means the
 * same for the local provider as for a remote one that reports its own usage.
 *
 * Only the cl100k ranks are loaded, and only on the first count: the package's main entry loads
 * every encoding (about 19 MB in every process, counted by `npm run bench -- scale`'s RSS).
 */
import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

const require = createRequire(import.meta.url);
let encoding: Tiktoken | null = null;

export function countTokens(text: string): number {
  encoding ??= new Tiktoken(require('js-tiktoken/ranks/cl100k_base') as TiktokenBPE);
  return encoding.encode(text).length;
}
