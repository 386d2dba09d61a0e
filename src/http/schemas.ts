/**
 * Schemas shared by many routes: the envelopes of each family, the catalogue of error codes they
 * carry, pagination, and the caller's own account. Declared once with TypeBox and used for
 * validation, serialization, the OpenAPI document and the typed client alike. Imports nothing
 * but TypeBox and the schema primitives, so the client can use it without loading the server.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_WAIT_SECONDS, Nullable, PageQuery, Timestamp } from '../schemaPrimitives.ts';

export { MAX_OFFSET, MAX_WAIT_SECONDS, Nullable, PageQuery, Timestamp, UnixSeconds, WithDefault, WithOptions } from '../schemaPrimitives.ts';

/**
 * The one catalogue of API error codes, shared by both route families.
 *
 * Each entry has its HTTP status, a default message, and the code each family puts on the wire:
 * the sourcing family speaks SNAKE_UPPER codes (`errorCode`), the content family snake_lower
 * codes (`error`). Code deep in the server throws `new AppError('not_found')` (errors.ts); only
 * the formatters in `http/envelopes.ts` decide what the body looks like.
 */
interface ErrorSpec {
  status: number;
  message: string;
  /** `errorCode` in the sourcing family's envelope. */
  sourcing: string;
  /** `error` in the content family's envelope. */
  content: string;
}

export const ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.', sourcing: 'INVALID_JSON', content: 'invalid_json' },
  bad_request: { status: 400, message: 'The request is malformed.', sourcing: 'BAD_REQUEST', content: 'bad_request' },
  validation_error: {
    // The sourcing docs answer a bad field with 400, the content docs with 422.
    status: 422,
    message: 'The request is invalid.',
    sourcing: 'VALIDATION_ERROR',
    content: 'validation_error',
  },
  unauthorized: { status: 401, message: 'Missing or invalid API key.', sourcing: 'UNAUTHORIZED', content: 'unauthorized' },
  key_revoked: { status: 401, message: 'This API key has been revoked.', sourcing: 'UNAUTHORIZED', content: 'unauthorized' },
  insufficient_credits: {
    status: 402,
    message: 'Not enough credits for this request.',
    sourcing: 'INSUFFICIENT_CREDITS',
    content: 'insufficient_credits',
  },
  forbidden: { status: 403, message: 'This API key does not have the scope this route needs.', sourcing: 'FORBIDDEN', content: 'forbidden' },
  not_found: { status: 404, message: 'Not found.', sourcing: 'NOT_FOUND', content: 'not_found' },
  profile_not_found: { status: 404, message: 'No such profile.', sourcing: 'PROFILE_NOT_FOUND', content: 'not_found' },
  request_not_found: { status: 404, message: 'No such request.', sourcing: 'REQUEST_NOT_FOUND', content: 'not_found' },
  route_not_found: { status: 404, message: 'No such route.', sourcing: 'ROUTE_NOT_FOUND', content: 'not_found' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this route.', sourcing: 'METHOD_NOT_ALLOWED', content: 'method_not_allowed' },
  request_timeout: { status: 408, message: 'The request did not arrive in time.', sourcing: 'REQUEST_TIMEOUT', content: 'request_timeout' },
  conflict: { status: 409, message: 'The request conflicts with the current state.', sourcing: 'CONFLICT', content: 'conflict' },
  // The IETF Idempotency-Key draft: 422 for a key reused with another payload, 409 while in flight.
  idempotency_key_reused: {
    status: 422,
    message: 'This Idempotency-Key was already used with a different request.',
    sourcing: 'IDEMPOTENCY_KEY_REUSED',
    content: 'idempotency_key_reused',
  },
  idempotency_key_in_use: {
    status: 409,
    message: 'A request with this Idempotency-Key is still being processed; retry shortly.',
    sourcing: 'IDEMPOTENCY_KEY_IN_USE',
    content: 'idempotency_key_in_use',
  },
  dedupe_key_in_use: {
    status: 409,
    message: 'A request with this Dedupe-Key is still being processed; retry shortly.',
    sourcing: 'DEDUPE_KEY_IN_USE',
    content: 'dedupe_key_in_use',
  },
  unreadable_media: {
    status: 422,
    message: 'The file is not a video or audio file that can be read.',
    sourcing: 'UNREADABLE_MEDIA',
    content: 'unreadable_media',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.', sourcing: 'PAYLOAD_TOO_LARGE', content: 'payload_too_large' },
  uri_too_long: { status: 414, message: 'A path segment is longer than the server accepts.', sourcing: 'URI_TOO_LONG', content: 'uri_too_long' },
  unsupported_media_type: {
    status: 415,
    message: 'Unsupported Content-Type.',
    sourcing: 'UNSUPPORTED_MEDIA_TYPE',
    content: 'unsupported_media_type',
  },
  header_fields_too_large: {
    status: 431,
    message: 'The request headers are larger than the server accepts.',
    sourcing: 'HEADER_FIELDS_TOO_LARGE',
    content: 'header_fields_too_large',
  },
  rate_limited: { status: 429, message: 'Too many requests. Retry after the time in Retry-After.', sourcing: 'RATE_LIMITED', content: 'rate_limited' },
  internal_error: { status: 500, message: 'An unexpected error occurred.', sourcing: 'INTERNAL_ERROR', content: 'internal_error' },
  service_unavailable: { status: 503, message: 'The service is not ready.', sourcing: 'SERVICE_UNAVAILABLE', content: 'service_unavailable' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** Content-family success: `{success: true, data}`. */
export const ContentOk = <T extends TSchema>(data: T) => Type.Object({ success: Type.Literal(true), data });

/** One problem with one part of a request: `entry` is the index in a bulk body, `field` a JSON path. */
const ErrorDetailSchema = Type.Object({ entry: Type.Optional(Type.Integer()), field: Type.String(), message: Type.String() });
export type ErrorDetail = Static<typeof ErrorDetailSchema>;

/** What a 422 names, one entry per problem. */
const ErrorDetails = Type.Optional(Type.Array(ErrorDetailSchema));

export const ContentError = Type.Object(
  { success: Type.Literal(false), error: Type.String(), message: Type.String(), details: ErrorDetails },
  { $id: 'ContentError', description: 'Content-family error envelope' },
);

export const SourcingError = Type.Object(
  { success: Type.Literal(false), errorCode: Type.String(), errorMessage: Type.String(), details: ErrorDetails },
  { $id: 'SourcingError', description: 'Sourcing-family error envelope' },
);

/** `?wait=N` on status routes: hold the answer until the status changes (see waitForChange.ts). */
export const WaitQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'Hold the answer up to this many seconds until the status changes' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * A webhook endpoint's ID (`wh_<ULID>`). Until the webhooks issue lands it is checked for its
 * shape only and kept with the job.
 */
export const WebhookId = Type.String({
  maxLength: 29,
  pattern: '^wh_[0-9A-HJKMNP-TV-Z]{26}$',
  description: 'wh_<ULID> of a webhook endpoint of this organisation',
});

// The caller's own account: `/me`, `/credits`, `/credits/ledger`.

export const Balance = Type.Object({
  available: Type.Integer({ description: 'Credits that can be spent or reserved now' }),
  reserved: Type.Integer({ description: 'Credits set aside for work in progress' }),
});

export const LedgerEntry = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('grant'), Type.Literal('reserve'), Type.Literal('charge'), Type.Literal('release')]),
  amount: Type.Integer(),
  ref: Type.Union([Type.String(), Type.Null()], { description: 'The job the entry is for' }),
  itemRef: Type.Union([Type.String(), Type.Null()], { description: 'The item of the job, for charges' }),
  note: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});

export const Me = Type.Object({
  organisation: Type.Object({ id: Type.String(), name: Type.String(), createdAt: Timestamp }),
  key: Type.Object({ id: Type.String(), name: Type.String(), scopes: Type.Array(Type.String()), createdAt: Timestamp }),
});

export const LedgerPage = Type.Object({ entries: Type.Array(LedgerEntry), total: Type.Integer() });

// The organisation's API keys (`/keys`, a `keys:write` key): never a secret, but the whole key
// once, in the answer that creates it.

export const KeyIdParams = Type.Object(
  { keyId: Type.String({ maxLength: 30, pattern: '^key_[0-9A-HJKMNP-TV-Z]{26}$', description: 'key_<ULID>' }) },
  { additionalProperties: false },
);

export const KeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String(), { description: 'Empty: every product scope' }),
  rateLimit: Nullable(Type.Integer({ description: 'Requests per window; null: the server setting' })),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
});

export const KeysPage = Type.Object({ keys: Type.Array(KeyView), total: Type.Integer() });

export const KeyCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'A label for the key' }),
    scopes: Type.Array(Type.String({ maxLength: 40, pattern: '^[a-z]+:[a-z]+$' }), {
      maxItems: 32,
      uniqueItems: true,
      description:
        'Scopes the new key holds (empty: every product scope), each held by the key making it: sourcing, enrich, clips, agents, kb, webhooks, each :read or :write; metrics:read, workers:read, keys:write',
    }),
  },
  { additionalProperties: false },
);

export const KeyCreated = Type.Object({
  ...KeyView.properties,
  key: Type.String({ description: 'lr_<keyId>_<secret>: shown in this answer only, never stored' }),
});

// Operators: the processes sharing the database (`GET /workers`).

export const ProcessView = Type.Object({
  id: Type.String({ description: 'host:pid:nonce; the `lease_owner` of the jobs it holds' }),
  host: Type.String(),
  pid: Type.Integer(),
  role: Type.Union([Type.Literal('api'), Type.Literal('worker')], {
    description: '`api`: `longrun serve` (runs jobs too when it has worker slots); `worker`: `longrun worker`',
  }),
  version: Type.String({ description: 'The longrun version it runs' }),
  startedAt: Timestamp,
  lastBeatAt: Timestamp,
  jobsHeld: Type.Integer({ description: 'Jobs it held at its last beat' }),
  workerSlots: Type.Integer({ description: 'Items it processes at once (0: API only)' }),
});

export const ProcessesList = Type.Object({
  processes: Type.Array(ProcessView, { description: 'Alive: beat within the last 3 of its intervals. API processes first, then by host and start' }),
});

// The credit ledger read for people (`GET /credits/history`, `/credits/ledger/jobs`, `/credits/ledger?ref=`).

/** Each window and how it is cut: 24 hours, 28 quarters of a day, 30 days. */
export const HISTORY_WINDOWS = {
  day: { buckets: 24, bucketSeconds: 3600 },
  week: { buckets: 28, bucketSeconds: 6 * 3600 },
  month: { buckets: 30, bucketSeconds: 86_400 },
} as const;

export type HistoryWindow = keyof typeof HISTORY_WINDOWS;

export const CreditHistoryQuery = Type.Object(
  {
    window: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], {
        default: 'week',
        description: '`day`: 24 hourly points; `week`: 28 of 6 hours; `month`: 30 daily points (UTC). The last is the one in progress.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreditHistory = Type.Object({
  window: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
  from: Timestamp,
  to: Timestamp,
  bucketSeconds: Type.Integer(),
  points: Type.Array(
    Type.Object({
      start: Timestamp,
      available: Type.Integer({ description: 'The balance at the end of this bucket (now, for the last)' }),
      reserved: Type.Integer(),
      granted: Type.Integer({ description: 'Credits granted in this bucket' }),
      charged: Type.Integer({ description: 'Credits spent in this bucket' }),
    }),
  ),
});

export const LedgerQuery = Type.Composite(
  [PageQuery, Type.Object({ ref: Type.Optional(Type.String({ maxLength: 100, description: 'Only the entries of this job' })) })],
  { additionalProperties: false },
);

export const LedgerGroup = Type.Object({
  ref: Nullable(Type.String({ description: 'The job; null for an entry of no job (a grant), which is its own group' })),
  granted: Type.Integer(),
  reserved: Type.Integer(),
  charged: Type.Integer(),
  released: Type.Integer(),
  items: Type.Integer({ description: 'How many items were charged' }),
  firstAt: Timestamp,
  lastAt: Timestamp,
  note: Nullable(Type.String()),
});

export const LedgerByJobPage = Type.Object({ groups: Type.Array(LedgerGroup), total: Type.Integer() });
