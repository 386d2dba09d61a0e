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
    }),
  ],
  { additionalProperties: false },
);

export const JobsPage = Type.Object({ jobs: Type.Array(Type.Ref(JobView)), total: Type.Integer() });

export const ItemsPage = Type.Object({ items: Type.Array(Type.Ref(ItemView)), total: Type.Integer() });

/** The `type` of each event of `GET /jobs/{id}/events`. */
export type JobEventType = 'job.queued' | 'job.started' | 'item.succeeded' | 'item.failed' | 'job.completed' | 'job.failed' | 'job.canceled' | 'job.progress';
