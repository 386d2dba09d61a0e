/**
 * Follows a job's events (`GET /jobs/{id}/events`, Server-Sent Events). EventSource cannot
 * send an Authorization header, so the stream is read with fetch and parsed here. Like
 * EventSource it resumes after a dropped connection with `Last-Event-ID`, so no event is seen
 * twice or missed; it stops after the terminal event, on a 204 (the job ended and every event
 * was seen), or when `signal` aborts.
 */
import { ApiError, authHeaders } from './api.ts';
import type { JobEvent } from './types.ts';

const TERMINAL = new Set(['job.completed', 'job.failed', 'job.canceled']);
const RECONNECT_MS = 2_000;

export function isTerminalEvent(type: string): boolean {
  return TERMINAL.has(type);
}

/** One SSE block ("id: …\nevent: …\ndata: …") → its data as a JobEvent, or null for a comment. */
function parseBlock(block: string): JobEvent | null {
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length > 0 ? (JSON.parse(data.join('\n')) as JobEvent) : null;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Resolves when the job's events are all delivered (or `signal` aborted). */
export async function followJobEvents(jobId: string, onEvent: (event: JobEvent) => void, signal: AbortSignal): Promise<void> {
  let lastSeq = 0;
  while (!signal.aborted) {
    let response: Response;
    try {
      response = await fetch(`/jobs/${encodeURIComponent(jobId)}/events`, {
        headers: { accept: 'text/event-stream', 'last-event-id': String(lastSeq), ...authHeaders() },
        signal,
      });
    } catch {
      if (signal.aborted) return;
      await pause(RECONNECT_MS, signal);
      continue;
    }
    if (response.status === 204) return;
    if (!response.ok || !response.body) throw new ApiError(response.status, 'event_stream', `The event stream answered ${response.status}.`);

    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        // longrun ends lines with \n only (see src/server/routes/jobEvents.ts).
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (!event) continue;
          lastSeq = event.seq;
          onEvent(event);
          if (isTerminalEvent(event.type)) {
            await reader.cancel();
            return;
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    // The server closed the stream before the job ended (a restart, a shutdown): resume.
    await pause(RECONNECT_MS, signal);
  }
}
