/**
 * Upload expiry: an upload in parts not completed within LONGRUN_UPLOAD_TTL_HOURS is deleted,
 * its row and its parts in the storage (an S3 multipart upload is aborted). Guarantees: only uploads whose `expires_at` has passed go; a
 * completed upload has become a clip and is not touched.
 */
import type { Db } from '../../store/database.ts';
import { HOUR_MS, type MaintenanceTask } from '../../maintenance/task.ts';
import type { Storage } from '../../storage/storage.ts';
import { uploadsDeleteExpired } from './uploadRoutes.ts';

export function uploadExpiry(db: Db, storage: Storage): MaintenanceTask {
  return {
    name: 'clips.upload-expiry',
    everyMs: HOUR_MS,
    run: (now) => uploadsDeleteExpired(db, storage, now.toISOString()),
  };
}
