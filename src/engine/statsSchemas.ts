/**
 * An organisation's jobs in figures (`GET /stats/jobs`): what is queued and running now, and
 * what ended in the last hour or day, in time buckets for charts. Declared once for validation,
 * serialization, /openapi.json and the typed client. Imports nothing but TypeBox and other
 * schema modules.
 */
import { Type } from '@sinclair/typebox';
import { Nullable } from '../schemaPrimitives.ts';

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
