/**
 * The places for jobs in one process: `concurrency + prefetch`, less the jobs it holds.
 *
 * Guarantees: a job counts from its claim (or its start at submission) until its last
 * checkpoint has committed, so the process never holds more jobs than it has places for,
 * whatever finishes or starts meanwhile; a place set aside (for a job not held yet) counts
 * until its holder releases it; whenever a place frees, `onFreed` is called (the claimer
 * looks again). Not guaranteed: a claim inside a checkpoint's transaction may overlap the
 * claimer's on PostgreSQL and take a few more; `orgConcurrency` is kept by the database.
 */
export class Rooms {
  /** The jobs this process holds, each worked on by its own task: from the claim to its end. */
  private readonly held = new Set<Promise<void>>();
  /** Last checkpoints of jobs whose tasks have ended; each job's lease is held until it commits. */
  private readonly finishing = new Set<Promise<void>>();
  /** Submissions that may start their job in their own transaction (see startAtSubmit.ts). */
  private readonly starting = new Set<Promise<unknown>>();
  /**
   * Places set aside for jobs not held yet: those started by their submission and those
   * claimed by a group of checkpoints whose transaction is still open (PostgreSQL runs two
   * such groups at once; see `checkpointAndRefill`).
   */
  private setAsideCount = 0;

  constructor(
    private readonly size: number,
    private readonly onFreed: () => void,
  ) {}

  /** How many more jobs this process may claim. */
  free(): number {
    return this.size - this.held.size - this.finishing.size - this.setAsideCount;
  }

  /** Jobs held: running, waiting for a slot, committing their end, or starting at submission. */
  count(): number {
    return this.held.size + this.finishing.size + this.starting.size;
  }

  /** Counts `task` (a held job's work) until it settles. */
  hold(task: Promise<void>): void {
    const tracked: Promise<void> = task.finally(() => {
      this.held.delete(tracked);
      this.onFreed();
    });
    this.held.add(tracked);
  }

  /** Counts a job's last checkpoint (`commit`, which never rejects) until it settles. */
  finish(commit: Promise<void>): void {
    const tracked: Promise<void> = commit.finally(() => {
      this.finishing.delete(tracked);
      this.onFreed();
    });
    this.finishing.add(tracked);
  }

  /** Sets `count` places aside; the returned function gives them back (once). */
  setAside(count: number): () => void {
    this.setAsideCount += count;
    return () => (this.setAsideCount -= count);
  }

  /** Counts a submission that may start its job until `untrack` is called; `stop` waits for it. */
  trackStarting(committed: Promise<unknown>): () => void {
    this.starting.add(committed);
    return () => this.starting.delete(committed);
  }

  /** Resolves when every held job's task and then every last checkpoint have settled. */
  async settled(): Promise<void> {
    await Promise.all(this.held);
    await Promise.all(this.finishing);
  }

  /** Resolves when every submission that may start its job has settled. */
  async startsSettled(): Promise<void> {
    await Promise.allSettled(this.starting);
  }
}
