/**
 * Why a held job must stop (cancellation, a lost lease, shutdown), told to whoever listens: the
 * engine's one-way abort for a job and its current item. Not an AbortController: Node builds an
 * EventTarget for each AbortSignal, and two per no-op job (the job's and its item's) cost a
 * tenth of a burn-down's processing time (`npm run bench -- engine`, --cpu-prof). A processor
 * still gets a real AbortSignal, made only when it asks for one (see `processItem`).
 */
export class JobStop {
  stopped = false;
  reason: unknown = undefined;
  private readonly listeners = new Set<(reason: unknown) => void>();

  /** Stops the job; the first reason is the one kept, later calls do nothing. */
  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.reason = reason;
    for (const listener of this.listeners) listener(reason);
    this.listeners.clear();
  }

  /** Calls `listener` once, when the job stops (at once if it has); returns the way to stop listening. */
  onStop(listener: (reason: unknown) => void): () => void {
    if (this.stopped) {
      listener(this.reason);
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
