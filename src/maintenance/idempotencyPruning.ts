/**
 * Idempotency-key pruning: stored answers to Idempotency-Key requests are deleted once expired
 * (LONGRUN_IDEMPOTENCY_TTL_HOURS after the request). Guarantees: a key is never deleted before
 * its `expires_at`, so a retry within the window still gets the first answer.
 */
import type { Db } from '../store/database.ts';
import { idempotencyDeleteExpired } from '../store/idempotency.ts';
import { HOUR_MS, type MaintenanceTask } from './task.ts';

export function idempotencyPruning(db: Db): MaintenanceTask {
  return {
    name: 'idempotency.pruning',
    everyMs: HOUR_MS,
    run: (now) => idempotencyDeleteExpired(db, now.toISOString()),
  };
}
