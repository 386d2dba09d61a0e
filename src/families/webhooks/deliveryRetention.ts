/**
 * Delivery retention: webhook deliveries that ended (delivered or given up) more than
 * LONGRUN_RETENTION_DAYS ago are deleted. Guarantees: a pending delivery is never deleted,
 * whatever its age, so nothing still to be sent is lost.
 */
import { HOUR_MS, type MaintenanceTask } from '../../maintenance/task.ts';
import type { Db } from '../../store/database.ts';
import { deliveriesDeleteEndedBefore } from './sql/deliveries.ts';

export function deliveryRetention(db: Db, retentionDays: number): MaintenanceTask {
  return {
    name: 'webhooks.delivery-retention',
    everyMs: HOUR_MS,
    run: (now) => deliveriesDeleteEndedBefore(db, new Date(now.getTime() - retentionDays * 86_400_000).toISOString()),
  };
}
