/** How a job and its items look on the generic `/jobs` routes. */
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../server/schemas.ts';
import type { ItemRow, JobRow } from './types.ts';

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
    status: Type.Union((['pending', 'running', 'succeeded', 'failed', 'canceled'] as const).map((s) => Type.Literal(s)), {
      description: '`canceled`: the item had not finished when its job ended (canceled, or failed outside its items)',
    }),
    attempts: Type.Integer(),
    result: Type.Unknown(),
    error: ErrorInfo,
    startedAt: Nullable(Type.String({ format: 'date-time' })),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'JobItem' },
);

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export function isFinished(job: JobRow): boolean {
  return job.status === 'completed' || job.status === 'failed' || job.status === 'canceled';
}

export function jobView(job: JobRow): Static<typeof JobView> {
  const done = job.items_succeeded + job.items_failed;
  // An ended job's unfinished items were canceled with it (`itemsCancelOpenMany`).
  const open = job.items_total - done;
  const ended = isFinished(job);
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    priority: job.priority,
    attempts: job.attempts,
    progress: { done, total: job.items_total, fraction: job.progress },
    counts: { pending: ended ? 0 : open, succeeded: job.items_succeeded, failed: job.items_failed, canceled: ended ? open : 0 },
    credits: { reserved: ended ? 0 : job.credits_reserved - job.credits_charged, charged: job.credits_charged },
    input: parse(job.input),
    output: parse(job.output),
    error: job.error_code ? { code: job.error_code, message: job.error_message ?? '' } : null,
    runAt: job.run_at,
    createdAt: job.created_at,
    startedAt: job.started_at,
    completedAt: job.completed_at,
  };
}

export function itemView(item: ItemRow): Static<typeof ItemView> {
  return {
    key: item.key,
    status: item.status,
    attempts: item.attempts,
    result: parse(item.result),
    error: item.error_code ? { code: item.error_code, message: item.error_message ?? '' } : null,
    startedAt: item.started_at,
    finishedAt: item.finished_at,
  };
}
