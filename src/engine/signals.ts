/**
 * In-process wake-ups. `work` tells idle workers to look for work now (a submission, a job
 * given back, a freed organisation slot); `job:<id>` tells waiting requests and event streams
 * that a job changed. Emitted after the transaction commits, never before.
 */
import { EventEmitter } from 'node:events';

export class EngineSignals {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every long-poll and event stream listens here; there is no sensible cap.
    this.emitter.setMaxListeners(0);
  }

  workAvailable(): void {
    this.emitter.emit('work');
  }

  jobChanged(jobId: string): void {
    this.emitter.emit(`job:${jobId}`);
  }

  /** Resolves on the next `work` signal or after `ms`, whichever comes first. */
  waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('work', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.emitter.once('work', done);
    });
  }

  /** The process is shutting down: long-polls answer now, event streams close. */
  shutdown(): void {
    this.emitter.emit('shutdown');
  }

  onShutdown(listener: () => void): () => void {
    this.emitter.on('shutdown', listener);
    return () => this.emitter.off('shutdown', listener);
  }

  onJobChanged(jobId: string, listener: () => void): () => void {
    this.emitter.on(`job:${jobId}`, listener);
    return () => this.emitter.off(`job:${jobId}`, listener);
  }
}
