/**
 * Waiting in tests, without fixed sleeps: `until` asks a condition again until it holds and fails
 * with what it was waiting for; `untilEngineIdle` waits until an engine has acted on everything
 * so far (its claimer asleep, no job held), which is how a test shows that "nothing happened"
 * rather than hoping a pause was long enough. For a job's state, see `waitForJob` in testEngine.ts.
 */
import type { Engine } from '../../src/engine/engine.ts';

export interface UntilOptions {
  /** Fail after this long (default 10 s: generous on a loaded 2-core machine). */
  timeoutMs?: number;
  /** Ask again after this long (default 10 ms). */
  everyMs?: number;
}

/** Resolves once `check` holds; rejects naming `what` when it has not within `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, options: UntilOptions = {}): Promise<void> {
  const { timeoutMs = 10_000, everyMs = 10 } = options;
  // The monotonic clock: a test may control `Date` (vi.useFakeTimers({ toFake: ['Date'] })).
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The engine holds no job and its claimer sleeps: whatever a submission, a signal or a job's end
 * set off (a claim, a job started) has happened. See `Engine.activity`.
 */
export function untilEngineIdle(engine: Engine, options?: UntilOptions): Promise<void> {
  return until(
    'the engine is idle',
    () => {
      const a = engine.activity();
      return a.claimerAsleep && a.held === 0;
    },
    options,
  );
}
