/**
 * How requests are validated: Fastify's own Ajv compiler (@fastify/ajv-compiler), built twice.
 *
 * - JSON bodies are validated as sent, never coerced: `"12"`, `"1e3"` or `"Infinity"` in an
 *   integer field is a validation error, not a number.
 * - Query strings, path parameters and headers arrive as text, so they are coerced from strings.
 *
 * Bodies refuse NaN and ±Infinity (Ajv's `strictNumbers`; `1e999` in JSON parses to Infinity).
 * The coercing compiler turns `strictNumbers` off: with coercion, Ajv 8 (where it is on by
 * default) lets the string "Infinity" through unchecked, past `maximum` — how `limit=1e999` and
 * a body's "Infinity" got in. Without it, ±Infinity and NaN fail `minimum`/`maximum`, so every
 * number in a query, path or header has both, which test/foundation/numbersAndBounds.test.ts
 * checks for every operation.
 *
 * Both check `date-time` and `date` as real instants (see `isRealInstant`): a leap second or
 * 30 February is refused before any handler calls `new Date()` on it.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type Ajv = AjvCompiler.Ajv;

/**
 * `allErrors` off, as Fastify's default and Ajv's security notes advise for untrusted data: with
 * it on, an array of 20,000 wrong items is checked item by item (1–2 s of the event loop) and
 * answered with a 2.7 MB message, though `maxItems` has already failed. The first problem found
 * is the one reported.
 */
const AJV_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

/**
 * True when `new Date(text)` holds an instant: V8 refuses a leap second (`23:59:60`) that the
 * format's shape allows. (The shape check before it refuses 30 February and hour 24, which V8
 * would roll over into the next day.)
 */
export function isRealInstant(text: string): boolean {
  return Number.isFinite(Date.parse(text));
}

/** ajv-formats' own check of a format's shape, then `isRealInstant`. */
function realInstantFormats(ajv: Ajv): void {
  for (const name of ['date-time', 'date']) {
    const shape = ajv.formats[name];
    const shapeOk = (text: string): boolean => {
      if (shape instanceof RegExp) return shape.test(text);
      if (typeof shape === 'function') return Boolean(shape(text));
      if (shape && typeof shape === 'object' && 'validate' in shape) {
        const check = shape.validate;
        return check instanceof RegExp ? check.test(text) : Boolean((check as (t: string) => boolean)(text));
      }
      return true;
    };
    ajv.addFormat(name, { type: 'string', validate: (text: string) => shapeOk(text) && isRealInstant(text) });
  }
}

/** Fastify's `ajv` option; the compilers below are built from it, one coercing, one exact. */
export const ajvServerOptions = {
  customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' as const, strictNumbers: false },
  onCreate: realInstantFormats,
};

/**
 * Fastify's `schemaController`: bodies get a compiler without coercion, every other part one
 * that coerces. Each compiler sees the schemas added with `addSchema`, as Fastify's default does.
 */
export function validatorSchemaController(): NonNullable<FastifyServerOptions['schemaController']> {
  const pool = AjvCompiler();
  // Fastify calls the compiler with the route (`{schema, method, url, httpPart}`), not as typed.
  type Compile = (route: AjvCompiler.RouteDefinition) => unknown;
  const buildValidator = (externalSchemas: Parameters<typeof pool>[0]) => {
    const coercing = pool(externalSchemas, ajvServerOptions) as unknown as Compile;
    const exact = pool(externalSchemas, {
      ...ajvServerOptions,
      customOptions: { ...AJV_OPTIONS, coerceTypes: false, strictNumbers: true },
    }) as unknown as Compile;
    return (route: AjvCompiler.RouteDefinition) => (route.httpPart === 'body' ? exact : coercing)(route);
  };
  return { compilersFactory: { buildValidator: buildValidator as unknown as AjvCompiler.BuildCompilerFromPool } };
}
