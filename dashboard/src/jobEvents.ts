/**
 * Follows a job's events with the client's `streamEvents` (SSE read over fetch, since
 * EventSource cannot send the key): resumed with `Last-Event-ID` after a dropped connection, so
 * no event is seen twice or missed, until the terminal event, a 204 (the job ended and every
 * event was seen), or `signal` aborting — which ends it quietly.
 */
import type { JobEvent } from 'longrun/client';
import { client } from './api.ts';

const TERMINAL = new Set<string>(['job.completed', 'job.failed', 'job.canceled']);

export function isTerminalEvent(type: string): boolean {
  return TERMINAL.has(type);
}

/** Resolves when the job's events are all delivered (or `signal` aborted); rejects when the stream cannot go on. */
export async function followJobEvents(jobId: string, onEvent: (event: JobEvent) => void, signal: AbortSignal): Promise<void> {
  try {
    // A page stays open for long: keep reconnecting (backing off up to 10 s) while the server is away.
    for await (const event of client().streamEvents(jobId, { signal, maxRetries: Infinity })) onEvent(event);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
