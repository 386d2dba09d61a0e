/**
 * `?wait=N` on status routes: hold the request until the job's status changes (or it ends),
 * at most N seconds, then answer with the state at that moment. Wakes on the engine's signal
 * (raised in this process, or in another and relayed by LISTEN/NOTIFY), so a waiting client
 * costs no database polling.
 */
import type { Db } from '../store/database.ts';
import type { EngineSignals } from './signals.ts';
import type { JobRow } from './types.ts';
import { jobGetForOrg } from './sql/jobsRead.ts';
import { isFinished } from './views.ts';
import { MAX_WAIT_SECONDS } from '../schemaPrimitives.ts';

export { MAX_WAIT_SECONDS };

export async function waitForJobChange(db: Db, signals: EngineSignals, job: JobRow, waitSeconds: number, abort: AbortSignal): Promise<JobRow> {
  if (waitSeconds <= 0 || isFinished(job)) return job;
  return new Promise<JobRow>((resolve, reject) => {
    let latest = job;
    let checking = false;
    let again = false;
    const cleanUp = () => {
      clearTimeout(timer);
      unsubscribe();
      unsubscribeShutdown();
      abort.removeEventListener('abort', finish);
    };
    const finish = () => {
      cleanUp();
      resolve(latest);
    };
    const check = () => {
      if (checking) {
        again = true; // a signal during a read: read once more after it
        return;
      }
      checking = true;
      again = false;
      jobGetForOrg(db, job.org_id, job.id)
        .then((row) => {
          checking = false;
          if (!row) return finish();
          latest = row;
          if (row.status !== job.status) finish();
          else if (again) check();
        })
        .catch((err: unknown) => {
          cleanUp();
          reject(err);
        });
    };
    const unsubscribe = signals.onJobChanged(job.id, check);
    const unsubscribeShutdown = signals.onShutdown(finish);
    // At the deadline, read once more: a change made in another process whose signal was lost
    // still shows in the answer.
    const timer = setTimeout(
      () => {
        jobGetForOrg(db, job.org_id, job.id)
          .then((row) => {
            if (row) latest = row;
          })
          .catch(() => {})
          .finally(finish);
      },
      Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000,
    );
    abort.addEventListener('abort', finish, { once: true });
    check(); // it may have changed between the caller's read and our subscription
  });
}

/**
 * `Prefer: wait=N` on submissions: hold until the job has finished, at most N seconds, on the
 * same signals as `waitForJobChange` (one wait per change of status, no polling). Answers the
 * job as it stands then: finished, or not yet.
 */
export async function waitForJobEnd(db: Db, signals: EngineSignals, job: JobRow, waitSeconds: number, abort: AbortSignal): Promise<JobRow> {
  const deadline = Date.now() + Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000;
  // A shutdown ends each wait at once; without this the loop would wait again.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  abort.addEventListener('abort', onAbort, { once: true });
  const unsubscribeShutdown = signals.onShutdown(onAbort);
  try {
    let latest = job;
    while (!isFinished(latest) && !stop.signal.aborted) {
      const left = (deadline - Date.now()) / 1000;
      if (left <= 0) break;
      latest = await waitForJobChange(db, signals, latest, left, stop.signal);
    }
    return latest;
  } finally {
    abort.removeEventListener('abort', onAbort);
    unsubscribeShutdown();
  }
}
