/**
 * A Server-Sent Events parser (the `text/event-stream` format of the HTML standard): bytes in,
 * messages out. Lines may end in CRLF, LF or CR, even split across chunks; `:` lines are
 * comments (keep-alives); a blank line ends a message; a message without data is not one.
 * It reads a `fetch` body through its reader, which every browser has (not all can iterate a
 * ReadableStream with `for await`).
 */

export interface SseMessage {
  /** The `id:` field, when the message had one. */
  id?: string;
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The `data:` lines, joined by newlines. */
  data: string;
  /** The `retry:` field: how long to wait before reconnecting, in milliseconds. */
  retry?: number;
}

export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  let retry: number | undefined;

  function* lines(final: boolean): Generator<string> {
    for (;;) {
      const end = buffer.search(/\r\n|\r|\n/);
      if (end < 0) return;
      // A CR at the very end may be the first half of a CRLF still in flight.
      if (buffer[end] === '\r' && end === buffer.length - 1 && !final) return;
      const newline = buffer.startsWith('\r\n', end) ? 2 : 1;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + newline);
      yield line;
    }
  }

  function* take(final: boolean): Generator<SseMessage> {
    for (const line of lines(final)) {
      if (line === '') {
        if (data.length > 0)
          yield { ...(id !== undefined ? { id } : {}), event: event || 'message', data: data.join('\n'), ...(retry !== undefined ? { retry } : {}) };
        event = '';
        data = [];
        retry = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
  }

  for await (const chunk of read(body)) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* take(false);
  }
  buffer += decoder.decode();
  // A message not ended by a blank line when the stream closes is dropped, as the standard says.
  yield* take(true);
}

/** A stream's chunks through its reader; stopping early cancels the stream. */
async function* read(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
