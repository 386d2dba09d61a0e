/**
 * The `local` provider: no model. It writes by extraction — the material lines of the prompt
 * (those under "Material:" that start with "- "), in order, as prose — so what it writes is
 * exactly what the idea and the knowledge base said, never invented, and never claims to be a
 * model. Deterministic: the same prompt gives the same text. Tokens are counted with the real
 * tokenizer, prompt and text together, as a remote service would report them.
 *
 * It reads like a post, not like a list: a first line that is a heading (no closing punctuation,
 * e.g. a passage's section title) leads into what follows ("Pricing: Our plans …") instead of
 * standing alone as a sentence of one word.
 */
import type { GenerateRequest, Generated, TextProvider } from './provider.ts';
import { countTokens } from './tokens.ts';

export function materialLines(prompt: string): string[] {
  const start = prompt.indexOf('Material:');
  if (start < 0) return [];
  const lines: string[] = [];
  for (const line of prompt.slice(start).split('\n').slice(1)) {
    if (line.startsWith('- ')) lines.push(line.slice(2).trim());
    else if (line.trim() !== '' && !line.startsWith('  ')) break;
  }
  return lines;
}

export function localProvider(): TextProvider {
  return {
    name: 'local',
    async generate(request: GenerateRequest): Promise<Generated> {
      const [first, ...rest] = materialLines(request.prompt);
      const sentence = (l: string) => (/[.!?…:]$/.test(l) ? l : `${l}.`);
      const lead = first === undefined ? [] : rest.length > 0 && !/[.!?…:]$/.test(first) ? [`${first}:`] : [sentence(first)];
      const text = [...lead, ...rest.map(sentence)].join(' ');
      return { text, tokensUsed: countTokens(request.system) + countTokens(request.prompt) + countTokens(text) };
    },
  };
}
