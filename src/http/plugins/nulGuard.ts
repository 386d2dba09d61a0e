/**
 * Refuses the NUL character (U+0000) in path parameters, the query and parsed bodies, with a
 * validation error in the route's family envelope.
 *
 * Why: PostgreSQL cannot store U+0000 in `text` or `jsonb` ("invalid byte sequence for encoding
 * UTF8: 0x00"), so a `%00` in an ID or a `"\u0000"` in a field answered 500 there (found by the
 * generated-request sweep, test/security/generatedRequests.test.ts) while SQLite stored it. One
 * check before validation gives both backends the same answer.
 *
 * Guarantees: runs in `preValidation`, so no handler sees a NUL in params, query or a JSON/text
 * body; the walk is iterative (a deeply nested body cannot overflow the stack) and linear in the
 * body. Not covered: raw uploads (Buffers and streams: documents, video parts, multipart files),
 * which are bytes, not text.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import { familyOf, validationStatus } from '../envelopes.ts';

/** The dotted path of the first string holding U+0000, or null. */
export function firstNulAt(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [current, where] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return where;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], `${where}.${i}`]);
    } else if (current && typeof current === 'object' && !Buffer.isBuffer(current) && typeof (current as { pipe?: unknown }).pipe !== 'function') {
      for (const [k, v] of Object.entries(current)) {
        if (k.includes('\u0000')) return `${where}.${k.split('\u0000').join('\\u0000')}`;
        stack.push([v, `${where}.${k}`]);
      }
    }
  }
  return null;
}

export const nulGuardPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', (request, _reply, done) => {
    const where = firstNulAt(request.params, 'params') ?? firstNulAt(request.query, 'querystring') ?? firstNulAt(request.body, 'body');
    if (!where) return done();
    done(new AppError('validation_error', `${where} must not contain the NUL character (U+0000).`, validationStatus(familyOf(request.url))));
  });
});
