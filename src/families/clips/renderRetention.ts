/**
 * Render files go with their jobs. Job retention (LONGRUN_RETENTION_DAYS) deletes a render's job
 * and, by its foreign key, its `clip_renders` row, after which nothing names the file; this hook
 * runs first and deletes the file of every render whose job finished before the cutoff —
 * completed, and failed or canceled too (a render canceled by another process just after its
 * upload may have left one). Guarantees: a render whose job has not finished is never touched;
 * deleting what is not there succeeds, so a round cut short is simply run again.
 */
import type { BeforeJobRetention } from '../../maintenance/jobRetention.ts';
import type { Storage } from '../../storage/storage.ts';
import type { Db } from '../../store/database.ts';
import { renderKey } from './storage.ts';

/** Rows read per query: a first round after a long time off may meet many old renders. */
const BATCH = 200;

export function renderFilesRetention(db: Db, storage: Storage): BeforeJobRetention {
  return async (before) => {
    let deleted = 0;
    let after = '';
    for (;;) {
      const rows = await db
        .selectFrom('clip_renders as r')
        .innerJoin('jobs as j', 'j.id', 'r.job_id')
        .select(['r.job_id', 'r.org_id', 'r.clip_id', 'r.output_path'])
        .where('j.completed_at', '<', before)
        .where('r.job_id', '>', after)
        .orderBy('r.job_id')
        .limit(BATCH)
        .execute();
      for (let i = 0; i < rows.length; i += 16)
        await Promise.all(rows.slice(i, i + 16).map((r) => storage.delete(r.output_path ?? renderKey(r.org_id, r.clip_id, r.job_id))));
      deleted += rows.length;
      if (rows.length < BATCH) return deleted;
      after = rows[rows.length - 1]!.job_id;
    }
  };
}
