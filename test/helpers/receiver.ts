/**
 * A real webhook receiver on a loopback port. Each test says how it answers (`respond`), and
 * waits for requests with `next()` — resolved when one arrives, never by sleeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
  /** Answer only once this settles (a receiver held mid-request until the test lets it go). */
  release?: Promise<unknown>;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  respond: (request: Received) => Answer;
  /** The next request to `path` (any path when left out) not yet taken by `next()`. */
  next(path?: string, timeoutMs?: number): Promise<Received>;
  /** Marks everything received so far as taken: `next()` then waits for new requests. */
  drain(): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const taken = new Set<number>();
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = {
        path: req.url ?? '/',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      waiters.splice(0).forEach((w) => w());
      const answer = receiver.respond(request);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? '');
      };
      if (answer.release) void answer.release.then(send, send);
      else if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    respond: () => ({ status: 200, body: 'ok' }),
    next(path, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no webhook request to ${path ?? 'any path'} within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          const index = received.findIndex((r, i) => !taken.has(i) && (path === undefined || r.path === path));
          if (index >= 0) {
            taken.add(index);
            clearTimeout(timer);
            resolve(received[index]!);
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    drain() {
      received.forEach((_, i) => taken.add(i));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
