/**
 * The sourcing family's three run states over the engine's five: queued and running are
 * `processing` (202), completed is `completed`, failed and canceled are `failed` (200). A
 * canceled run reports `CANCELED` as its error code.
 */
import { Type } from '@sinclair/typebox';
import type { JobRow } from '../../engine/sql/jobClaimNext.ts';

export type RunStatus = 'processing' | 'completed' | 'failed';

export function runStatusOf(job: JobRow): RunStatus {
  if (job.status === 'queued' || job.status === 'running') return 'processing';
  return job.status === 'completed' ? 'completed' : 'failed';
}

export function runErrorOf(job: JobRow, fallbackMessage: string): { errorCode: string; errorMessage: string } {
  if (job.status === 'canceled') return { errorCode: 'CANCELED', errorMessage: 'The run was canceled before it finished.' };
  return { errorCode: job.error_code ?? 'INTERNAL_ERROR', errorMessage: job.error_message ?? fallbackMessage };
}

export const RunFailed = (id: string) =>
  Type.Object({
    success: Type.Literal(true),
    requestId: Type.String({ description: id }),
    status: Type.Literal('failed'),
    errorCode: Type.String(),
    errorMessage: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    completedAt: Type.String({ format: 'date-time' }),
  });
