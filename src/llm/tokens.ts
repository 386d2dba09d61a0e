/**
 * Token counts with a real tokenizer (cl100k_base, via js-tiktoken), so `tokensUsed` means the
 * same for the local provider as for a remote one that reports its own usage.
 */
import { getEncoding, type Tiktoken } from 'js-tiktoken';

let encoding: Tiktoken | null = null;

export function countTokens(text: string): number {
  encoding ??= getEncoding('cl100k_base');
  return encoding.encode(text).length;
}
