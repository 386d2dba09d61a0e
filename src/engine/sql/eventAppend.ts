import type { Db } from '../../store/database.ts';
import type { JobEventType } from '../schemas.ts';

export const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['job.completed', 'job.failed', 'job.canceled']);

/**
 * Appends an event with the job's next sequence number. Bumping the counter on the job row
 * takes that row's lock, so sequence numbers per job are gap-free and in commit order.
 */
export async function eventAppend(trx: Db, jobId: string, type: JobEventType, data: unknown, at: string): Promise<number> {
  const { last_event_seq: seq } = await trx
    .updateTable('jobs')
    .set((eb) => ({ last_event_seq: eb('last_event_seq', '+', 1) }))
    .where('id', '=', jobId)
    .returning('last_event_seq')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('job_events')
    .values({ job_id: jobId, seq, type, data: JSON.stringify(data), created_at: at })
    .execute();
  return seq;
}
