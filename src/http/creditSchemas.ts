/**
 * The credit ledger read for people (`GET /credits/history`, `GET /credits/ledger/jobs`, and
 * `GET /credits/ledger?ref=`), declared once for validation, serialization, /openapi.json and the
 * typed client. Imports nothing but TypeBox and the schema primitives.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, PageQuery, Timestamp } from '../schemaPrimitives.ts';

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
