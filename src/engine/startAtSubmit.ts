/**
 * Start at submission: an idle engine runs a new job at its submission's commit, with no
 * wake-up and no claim transaction in between (those are half of a job's enqueue-to-start
 * time at a steady trickle: `npm run bench -- engine --shapes=steady`).
 *
 * Guarantees: the job starts in its submission's transaction only as a claim would start it
 * (its organisation's limit counted under its row's lock, see `jobSubmitAndStart`) and only
 * when the claimer would take it next (`Engine.mayStartAtSubmit`), so it passes no waiting job; a
 * place is set aside for it until it is held, so the claimer cannot fill that place meanwhile.
 * A job not started (its organisation at its limit, a serial queue, a throttle, a later run
 * time) is signalled as any submission is.
 */
import type { Db } from '../store/database.ts';
import type { Rooms } from './rooms.ts';
import type { EngineSignals } from './signals.ts';
import type { ClaimedJob } from './sql/jobsClaim.ts';
import type { JobRow } from './types.ts';
import { jobSubmitAndStart, type StartAtSubmit, type SubmitRequest } from './submit.ts';

export interface StartAtSubmitHost {
  db: Db;
  rooms: Rooms;
  signals: EngineSignals;
  /** What the start needs (the owner, the lease, the organisation's limit). */
  start: StartAtSubmit;
  /** Takes a started job into the process, as a claim's (signals its change). */
  enqueue(jobs: ClaimedJob[]): void;
  /** Wakes the claimer: a place set aside is free again. */
  wakeClaimer(): void;
}

/** Submits and starts the job in one transaction (see above). */
export async function submitAndStart<Input>(host: StartAtSubmitHost, request: SubmitRequest<Input>): Promise<JobRow> {
  const release = host.rooms.setAside(1);
  const committed = jobSubmitAndStart(host.db, request, host.start);
  // `stop` gives back what this process holds once these have committed.
  const untrack = host.rooms.trackStarting(committed);
  try {
    const { job, started } = await committed;
    if (started) {
      host.enqueue([started]); // signals the job's change
    } else {
      host.signals.jobChanged(job.id);
      host.signals.workAvailable();
    }
    return job;
  } finally {
    release();
    untrack();
    // A claimer that found no room while this place was set aside looks again.
    host.wakeClaimer();
  }
}
