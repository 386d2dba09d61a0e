/**
 * Wake-ups. `work` tells idle workers to look for work now (a submission, a job given back, a
 * freed organisation slot); `job:<id>` tells waiting requests and event streams that a job
 * changed. Emitted after the transaction commits, never before.
 *
 * Within one process they are events; across processes (PostgreSQL) a `relay` carries them —
 * every signal raised here is also handed to `relay.publish`, and what other processes raise
 * arrives through `receive`, which signals only locally (so nothing echoes back and forth).
 */
import { EventEmitter } from 'node:events';

export type RelayedSignal = { type: 'work' } | { type: 'job'; jobId: string };

export class EngineSignals {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every long-poll and event stream listens here; there is no sensible cap.
    this.emitter.setMaxListeners(0);
  }

  /** Set by a cross-process relay (see signalRelay.ts). */
  relay: { publish(signal: RelayedSignal): void } | null = null;

  workAvailable(): void {
    this.emitter.emit('work');
    this.relay?.publish({ type: 'work' });
  }

  jobChanged(jobId: string): void {
    this.emitter.emit(`job:${jobId}`);
    this.relay?.publish({ type: 'job', jobId });
  }

  /** A signal raised in another process. */
  receive(signal: RelayedSignal): void {
    this.emitter.emit(signal.type === 'work' ? 'work' : `job:${signal.jobId}`);
  }

  /** The process is shutting down: long-polls answer now, event streams close. */
  shutdown(): void {
    this.emitter.emit('shutdown');
  }

  onShutdown(listener: () => void): () => void {
    this.emitter.on('shutdown', listener);
    return () => this.emitter.off('shutdown', listener);
  }

  /** Every `work` signal, local or relayed, until the returned function is called. */
  onWork(listener: () => void): () => void {
    this.emitter.on('work', listener);
    return () => this.emitter.off('work', listener);
  }

  onJobChanged(jobId: string, listener: () => void): () => void {
    this.emitter.on(`job:${jobId}`, listener);
    return () => this.emitter.off(`job:${jobId}`, listener);
  }
}
