/**
 * `streamEvents(jobId)`: a job's events from `GET /jobs/{id}/events` (Server-Sent Events) as an
 * async iterator, in order of their sequence numbers, each once. If the connection drops before
 * the job's terminal event, it reconnects with `Last-Event-ID` (the last sequence number seen),
 * so the server replays exactly what was missed. It ends after the terminal event
 * (`job.completed`, `job.failed`, `job.canceled`), or at once when the server answers 204 (the
 * job had ended and its last event was already seen). Breaking out of the loop closes the stream.
 */
import { errorFromAnswer, LongrunError } from './errors.ts';
import { seg, type Http } from './http.ts';
import { parseSse } from './sse.ts';
import type { JobEvent } from './types.ts';

export interface StreamEventsOptions {
  /** Start after this sequence number (0, the default, replays every event). */
  lastEventId?: number;
  signal?: AbortSignal;
  /** Reconnections in a row, without an event in between, before giving up (default 8). */
  maxRetries?: number;
  /** The first reconnection delay; it doubles with each failure in a row, up to 10 s (default 500 ms). */
  retryDelayMs?: number;
}

const TERMINAL = new Set<JobEvent['type']>(['job.completed', 'job.failed', 'job.canceled']);
/** Answers worth reconnecting after: the server or a proxy in front of it is briefly unavailable. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const MAX_DELAY_MS = 10_000;

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (as an aborted fetch does). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function* streamEvents(http: Http, jobId: string, opts: StreamEventsOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
  const maxRetries = opts.maxRetries ?? 8;
  let baseDelay = opts.retryDelayMs ?? 500;
  let lastSeq = opts.lastEventId ?? 0;
  let failures = 0;
  // Our own controller: it also closes the stream when the caller stops iterating.
  const abort = new AbortController();
  const onAbort = () => abort.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  /** Counts a failure and waits before the next attempt; throws `error` once there have been too many. */
  const backOff = async (error: LongrunError) => {
    failures += 1;
    if (failures > maxRetries) throw error;
    await delay(Math.min(baseDelay * 2 ** (failures - 1), MAX_DELAY_MS), abort.signal);
  };

  try {
    for (;;) {
      const url = http.url(`/jobs/${seg(jobId)}/events`);
      let response: Response;
      try {
        const headers = http.headers({ accept: 'text/event-stream', ...(lastSeq > 0 ? { 'last-event-id': String(lastSeq) } : {}) });
        response = await http.fetch(url, { headers, signal: abort.signal });
      } catch (error) {
        if (error instanceof LongrunError && error.status === 0) {
          await backOff(error);
          continue;
        }
        throw error;
      }
      if (response.status === 204) return;
      if (!response.ok || !response.body) {
        const error = errorFromAnswer(response.status, response.headers, await response.text());
        if (!RETRYABLE_STATUS.has(response.status)) throw error;
        await backOff(error);
        continue;
      }
      try {
        for await (const message of parseSse(response.body)) {
          if (message.retry !== undefined) baseDelay = message.retry;
          if (!message.data) continue;
          const event = JSON.parse(message.data) as JobEvent;
          if (event.seq <= lastSeq) continue; // never twice, whatever a proxy replays
          lastSeq = event.seq;
          failures = 0;
          yield event;
          if (TERMINAL.has(event.type)) return;
        }
      } catch (error) {
        if (abort.signal.aborted) throw error;
        // The connection broke mid-stream: reconnect below and resume after lastSeq.
      }
      await backOff(new LongrunError(0, 'connection_failed', `the event stream of ${jobId} closed ${failures + 1} times in a row before the job ended`));
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    abort.abort();
  }
}
