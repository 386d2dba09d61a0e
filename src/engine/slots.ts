/**
 * Worker slots: at most `size` items of this process are processed at once.
 *
 * A held job takes a slot only while one of its items is processed, not while it waits for a
 * claim or for its checkpoint to commit, so the slots stay busy while the database works and a
 * group of checkpoints can be as large as the jobs held (`npm run bench -- batches`).
 *
 * Guarantees: never more than `size` taken; waiters get slots in the order they asked (first
 * come, first served, so a job claimed earlier is not passed over); `close` lets every waiter
 * through at once (the engine is stopping: each checks that before it processes anything).
 */
export class Slots {
  private taken = 0;
  private closed = false;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly size: number) {}

  free(): number {
    return this.size - this.taken;
  }

  /** Waits for a slot; `give` it back when the item is done. */
  take(): Promise<void> {
    if (this.closed || this.taken < this.size) {
      this.taken += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  give(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter: `taken` stays as it is.
    if (next) next();
    else this.taken -= 1;
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) {
      this.taken += 1;
      waiter();
    }
  }

  open(): void {
    this.closed = false;
  }
}
