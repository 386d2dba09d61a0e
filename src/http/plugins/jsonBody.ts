/**
 * The JSON body parser: Fastify's own (secure-json-parse, so `__proto__` and `constructor.prototype`
 * keys are refused), behind a check that the body nests at most `MAX_JSON_DEPTH` arrays and
 * objects. The check is one pass over the text before parsing, so a body nested 10,000 levels
 * deep is a 400 `invalid_json` in its family's envelope instead of a stack overflow later in
 * validation or in a handler. Bodies are still bounded in size by the server's `bodyLimit`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';

/** Deeper than any body a route accepts (a bulk import of résumés is 5 levels). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** How deep arrays and objects nest in `text`, read once; stops counting past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

export const jsonBodyPlugin = fp(async (app: FastifyInstance) => {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string; // parseAs: 'string'
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(new AppError('invalid_json', `The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      return;
    }
    parse(request, text, done);
  });
});
