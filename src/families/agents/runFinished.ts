/**
 * Copies an agent run's end (status, reason, time) from its job onto the run, in the transaction
 * that ends the job, so the run's history does not depend on the job being kept.
 */
import type { JobFinishedHook } from '../../engine/index.ts';
import { runFinalize } from './sql/runs.ts';

export const agentRunFinished: JobFinishedHook = async (trx, job) => {
  if (job.kind !== 'agent.run') return;
  const status = job.status === 'completed' ? 'completed' : 'failed';
  const error = job.status === 'canceled' ? 'The run was canceled.' : status === 'failed' ? (job.error_message ?? 'The run failed.') : null;
  await runFinalize(trx, job.id, { status, error, completedAt: job.completed_at ?? job.updated_at });
};
