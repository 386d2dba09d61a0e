/**
 * TypeBox building blocks below every layer that declares schemas (the engine's views, the HTTP
 * toolkit, the families): optional-with-default, nullable, pagination, instants. Imports nothing
 * but TypeBox.
 */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** The longest a status route holds its answer for `?wait=N` (see engine/waitForChange.ts). */
export const MAX_WAIT_SECONDS = 30;

/**
 * A property a client may leave out, whose `default` the validator fills in (Ajv `useDefaults`):
 * optional in the schema, so /openapi.json does not mark it required, yet present in the type the
 * handler sees, since by then it always is.
 */
export function WithDefault<T extends TSchema>(schema: T): T {
  if (schema.default === undefined) throw new Error('WithDefault: the schema has no default');
  return Type.Optional(schema) as unknown as T;
}

/**
 * `schema` with more options (a default, a description), typed as `schema`: the type of a bare
 * spread names TypeBox's internal symbols, which a declaration file cannot.
 */
export function WithOptions<T extends TSchema>(schema: T, options: SchemaOptions): T {
  return { ...schema, ...options };
}

/**
 * The largest `offset` a list takes: past any list this server keeps, and an integer both
 * databases bind exactly (`offset=99999999999999999999` parses as a float both refuse).
 */
export const MAX_OFFSET = 1_000_000_000;

/**
 * Lists take `limit` (default 50, max 100) and `offset` (max `MAX_OFFSET`). Optional with a
 * default: a client may leave them out (so /openapi.json does not call them required), and the
 * validator's `useDefaults` fills them in before the handler runs.
 */
export const PageQuery = Type.Object(
  {
    limit: WithDefault(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    offset: WithDefault(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
  },
  { additionalProperties: false },
);

/** An instant, RFC 3339; a request's must be one `new Date()` can hold (http/validation.ts). */
export const Timestamp = Type.String({ format: 'date-time', maxLength: 64 });

/** Unix seconds, e.g. a signed URL's `expires`: up to the last second of year 9999. */
export const UnixSeconds = Type.Integer({ minimum: 0, maximum: 253_402_300_799 });

/**
 * `schema` or null: `type: [<its type>, 'null']` where `schema` has one type, else an `anyOf`.
 * Fastify's serializer (fast-json-stringify) picks an `anyOf` branch by running a validator on
 * the value, format checks included, each time it writes one; a type list it checks inline
 * (a job's view serializes in half the time).
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  if (typeof schema.type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
  return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
}
