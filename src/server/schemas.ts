/**
 * Schemas shared by many routes: the envelopes of each family and pagination. Declared once
 * with TypeBox and used for validation, serialization and the OpenAPI document alike.
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { MAX_WAIT_SECONDS } from '../engine/index.ts';

/** Content-family success: `{success: true, data}`. */
export const ContentOk = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data });

/** What a 422 names, one entry per problem (`ErrorDetail` in errors.ts). */
const ErrorDetails = Type.Optional(
  Type.Array(Type.Object({ entry: Type.Optional(Type.Integer()), field: Type.String(), message: Type.String() })),
);

export const ContentError = Type.Object(
  { success: Type.Literal(false), error: Type.String(), message: Type.String(), details: ErrorDetails },
  { $id: 'ContentError', description: 'Content-family error envelope' },
);

export const SourcingError = Type.Object(
  { success: Type.Literal(false), errorCode: Type.String(), errorMessage: Type.String(), details: ErrorDetails },
  { $id: 'SourcingError', description: 'Sourcing-family error envelope' },
);

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
 * The largest `offset` a list takes: past any list this server keeps, and an integer both
 * databases bind exactly (`offset=99999999999999999999` was a float SQLite and PostgreSQL refused).
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

/** An instant, RFC 3339; a request's must be one `new Date()` can hold (server/validation.ts). */
export const Timestamp = Type.String({ format: 'date-time', maxLength: 64 });

/** Unix seconds, e.g. a signed URL's `expires`: up to the last second of year 9999. */
export const UnixSeconds = Type.Integer({ minimum: 0, maximum: 253_402_300_799 });

/**
 * `schema` or null: `type: [<its type>, 'null']` where `schema` has one type, else an `anyOf`.
 * Fastify's serializer (fast-json-stringify) picks an `anyOf` branch by running a validator on
 * the value, format checks included, each time it writes one; a type list it checks inline
 * (a job's view serialized in 1.1 µs instead of 2.5).
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  if (typeof schema.type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
  return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
}

/** `?wait=N` on status routes: hold the answer until the status changes (see waitForChange.ts). */
export const WaitQuery = Type.Object(
  { wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'Hold the answer up to this many seconds until the status changes' })) },
  { additionalProperties: false },
);

/**
 * A webhook endpoint's ID (`wh_<ULID>`). Until the webhooks issue lands it is checked for its
 * shape only and kept with the job.
 */
export const WebhookId = Type.String({ maxLength: 29, pattern: '^wh_[0-9A-HJKMNP-TV-Z]{26}$', description: 'wh_<ULID> of a webhook endpoint of this organisation' });
