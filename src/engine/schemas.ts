/**
 * Jobs and their items as the generic `/jobs` routes show them, the lists and filters of those
 * routes, and the types of a job's events; declared once for validation, serialization,
 * /openapi.json and the typed client. Imports nothing but TypeBox and other schema modules.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, PageQuery, Timestamp, WithOptions } from '../schemaPrimitives.ts';

const ErrorInfo = Nullable(Type.Object({ code: Type.String(), message: Type.String() }));

export const JobStatusSchema = Type.Union((['queued', 'running', 'completed', 'failed', 'canceled'] as const).map((s) => Type.Literal(s)));

export const JobView = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    status: JobStatusSchema,
    priority: Type.Integer(),
    attempts: Type.Integer({ description: 'How many times a worker has claimed the job' }),
    progress: Type.Object({
      done: Type.Integer(),
      total: Type.Integer(),
      fraction: Nullable(Type.Number({ description: 'How far the running item has come, 0–1, for kinds that report it (renders)' })),
    }),
    counts: Type.Object({
      pending: Type.Integer({ description: 'Items still to run: 0 once the job has ended' }),
      succeeded: Type.Integer(),
      failed: Type.Integer(),
      canceled: Type.Integer({ description: 'Items that had not finished when the job ended (canceled, or failed outside its items)' }),
    }),
    credits: Type.Object({ reserved: Type.Integer(), charged: Type.Integer() }),
    input: Type.Unknown(),
    output: Type.Unknown(),
    error: ErrorInfo,
    runAt: Type.String({ format: 'date-time' }),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Nullable(Type.String({ format: 'date-time' })),
    completedAt: Nullable(Type.String({ format: 'date-time' })),
    waitingReason: Type.Optional(
      Type.Literal('throttled', {
        description:
          "Why a queued job (or one waiting between items) does not start though due: `throttled` while its organisation's throttle on its kind has no slot for it yet (`longrun throttle`). Absent otherwise.",
      }),
    ),
  },
  { $id: 'Job' },
);

export const ItemView = Type.Object(
  {
    key: Type.String(),
    status: Type.Union(
      (['pending', 'running', 'succeeded', 'failed', 'canceled'] as const).map((s) => Type.Literal(s)),
      {
        description: '`canceled`: the item had not finished when its job ended (canceled, or failed outside its items)',
      },
    ),
    attempts: Type.Integer(),
    result: Type.Unknown(),
    error: ErrorInfo,
    startedAt: Nullable(Type.String({ format: 'date-time' })),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'JobItem' },
);

export const JobsQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      kind: Type.Optional(Type.String({ maxLength: 50 })),
      status: Type.Optional(JobStatusSchema),
      createdFrom: Type.Optional(WithOptions(Timestamp, { description: 'Only jobs created at or after this instant' })),
      createdTo: Type.Optional(WithOptions(Timestamp, { description: 'Only jobs created before this instant; after `createdFrom` when both are given' })),
      since: Type.Optional(
        WithOptions(Timestamp, { description: 'Only jobs that changed at or after this instant (submitted, an item ended, the job ended)' }),
      ),
    }),
  ],
  { additionalProperties: false },
);

export const FailuresQuery = Type.Object(
  {
    since: WithOptions(Timestamp, { description: 'Count failures at or after this instant' }),
    kind: Type.Optional(Type.String({ maxLength: 50 })),
  },
  { additionalProperties: false },
);

export const FailuresView = Type.Object({
  since: Type.String({ format: 'date-time' }),
  failures: Type.Array(
    Type.Object({
      kind: Type.String(),
      errorCode: Type.String(),
      items: Type.Integer({ description: 'Items that failed with this code' }),
      jobs: Type.Integer({ description: 'Jobs that ended `failed` with this code' }),
    }),
    { description: 'Per kind and error code, most frequent first' },
  ),
});

/** The most jobs one bulk request acts on. */
export const MAX_BULK = 100;

export const BulkBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: MAX_BULK, description: 'These jobs' })),
    kind: Type.Optional(Type.String({ maxLength: 50, description: 'Or: the jobs of this kind…' })),
    status: Type.Optional(JobStatusSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BULK, description: 'With `kind`: at most this many, oldest first (default and most: 100)' })),
  },
  { additionalProperties: false },
);

export const BulkResults = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Type.String(),
      outcome: Type.Union(
        (
          [
            'canceled',
            'rerun',
            'already_finished',
            'nothing_to_rerun',
            'not_rerunnable',
            'not_finished',
            'insufficient_credits',
            'not_found',
            'forbidden',
          ] as const
        ).map((s) => Type.Literal(s)),
        {
          description:
            '`not_found` also for another organisation’s job; `forbidden`: the key may not write jobs of its kind; `already_finished` (cancel) and `not_finished` (rerun) carry the job’s status; `not_rerunnable`: jobs of its kind cannot be rerun',
        },
      ),
      status: Type.Optional(JobStatusSchema),
      rerunId: Type.Optional(Type.String({ description: 'The new job, for `rerun`' })),
    }),
  ),
  more: Type.Boolean({ description: 'With `kind`: more jobs matched than were acted on; send again' }),
});

export const RerunBody = Type.Object(
  { keys: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 10_000, description: 'Only these failed or canceled items' })) },
  { additionalProperties: false },
);

export const RerunAccepted = Type.Object({
  jobId: Type.String({ description: 'The new job' }),
  rerunOf: Type.String(),
  status: Type.Literal('queued'),
  items: Type.Integer({ description: 'Items it runs again' }),
});

export const JobsPage = Type.Object({ jobs: Type.Array(Type.Ref(JobView)), total: Type.Integer() });

export const ItemsPage = Type.Object({ items: Type.Array(Type.Ref(ItemView)), total: Type.Integer() });

/** The `type` of each event of `GET /jobs/{id}/events`. */
export type JobEventType =
  'job.queued' | 'job.started' | 'item.retrying' | 'item.succeeded' | 'item.failed' | 'job.completed' | 'job.failed' | 'job.canceled' | 'job.progress';

// An organisation's jobs in figures (`GET /stats/jobs`): queued and running now, and what ended
// in the last hour or day, in time buckets for charts.

/** Each window and how it is cut: 12 buckets of 5 minutes, or 24 of an hour. */
export const STATS_WINDOWS = {
  hour: { buckets: 12, bucketSeconds: 300 },
  day: { buckets: 24, bucketSeconds: 3600 },
} as const;

export type StatsWindow = keyof typeof STATS_WINDOWS;

/** How many error codes the answer lists at most, the most frequent first. */
export const MAX_FAILURE_CODES = 20;

export const JobStatsQuery = Type.Object(
  {
    window: Type.Optional(
      Type.Union([Type.Literal('hour'), Type.Literal('day')], {
        default: 'hour',
        description: '`hour`: 12 buckets of 5 minutes; `day`: 24 buckets of an hour. The last bucket is the one in progress.',
      }),
    ),
  },
  { additionalProperties: false },
);

const count = (description?: string) => Type.Integer(description ? { minimum: 0, description } : { minimum: 0 });

export const JobStats = Type.Object({
  window: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  from: Type.String({ format: 'date-time', description: 'Start of the first bucket' }),
  to: Type.String({ format: 'date-time', description: 'End of the last bucket (a little after now)' }),
  bucketSeconds: Type.Integer(),
  kinds: Type.Array(
    Type.Object({
      kind: Type.String(),
      queued: count('Queued now (due or scheduled)'),
      running: count('Running now'),
      completed: count('Ended in the window'),
      failed: count(),
      canceled: count(),
    }),
    { description: 'Kinds with any job queued or running now, or ended in the window, by name' },
  ),
  buckets: Type.Array(
    Type.Object({
      start: Type.String({ format: 'date-time' }),
      completed: count(),
      failed: count(),
      canceled: count(),
      itemsSucceeded: count('Items of the jobs that ended in this bucket'),
      itemsFailed: count(),
    }),
    { description: 'Jobs by the time they ended, oldest bucket first; every bucket is listed, empty ones too' },
  ),
  oldestQueued: Nullable(
    Type.Object(
      { id: Type.String(), kind: Type.String(), dueAt: Type.String({ format: 'date-time' }), createdAt: Type.String({ format: 'date-time' }) },
      { description: 'The queued job that has waited longest since its run time came; null when none waits' },
    ),
  ),
  failures: Type.Array(
    Type.Object({
      code: Type.String(),
      jobs: count('Failed jobs with this code'),
      items: count('Failed items with this code'),
    }),
    { description: `Error codes of the jobs that ended in the window (the job's and its failed items'), most frequent first, at most ${MAX_FAILURE_CODES}` },
  ),
});
