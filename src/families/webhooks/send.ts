/**
 * One HTTP POST of a webhook, through the SSRF guard, with a time limit and a bounded read.
 *
 * Guarantees: redirects are not followed (a 3xx is just a status); the whole attempt — connect,
 * send, and reading the answer — is limited to `timeoutMs`; at most 64 KiB of the answer is
 * read; the caller gets the status, the Retry-After delay if any, and the first KiB of the body.
 * With tracing on, the attempt is a client span and sends its `traceparent` (httpClientSpan.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { BlockedUrlError, checkUrl, guardedLookup, type GuardOptions } from '../../net/addressGuard.ts';
import { httpClientSpanStart } from '../../net/httpClientSpan.ts';

const MAX_READ = 64 * 1024;
const SNIPPET = 1024;

export interface SendResult {
  status: number;
  retryAfterMs: number | null;
  /** The first KiB of the answer, as text. */
  snippet: string;
}

/** An attempt that got no HTTP answer: refused by the guard, timed out, or failed to connect. */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    readonly code: 'BLOCKED_ADDRESS' | 'TIMEOUT' | 'CONNECTION_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** Seconds or an HTTP date → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: GuardOptions & { timeoutMs: number; signal?: AbortSignal },
): Promise<SendResult> {
  return new Promise<SendResult>((resolve, reject) => {
    let url: URL;
    try {
      url = checkUrl(rawUrl, options);
    } catch (error) {
      return reject(new SendError('BLOCKED_ADDRESS', (error as Error).message));
    }
    const client = url.protocol === 'https:' ? https : http;
    const span = httpClientSpanStart('POST', url);
    let settled = false; // the span ends with the first answer or error
    const settle =
      <T>(then: (value: T) => void) =>
      (value: T) => {
        if (!settled) span.end(value instanceof Error ? { error: value } : { status: (value as SendResult).status });
        settled = true;
        then(value);
      };
    resolve = settle(resolve);
    reject = settle(reject);
    const request = client.request(url, {
      method: 'POST',
      headers: {
        ...headers,
        ...span.headers,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'longrun-webhooks/1',
      },
      lookup: guardedLookup(options) as never,
      agent: false,
    });
    const timer = setTimeout(() => request.destroy(new SendError('TIMEOUT', `No complete answer within ${options.timeoutMs} ms.`)), options.timeoutMs);
    const onAbort = () => request.destroy(new SendError('CONNECTION_FAILED', 'The attempt was stopped.'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    request.on('error', (error) => {
      finish();
      if (error instanceof SendError) return reject(error);
      if (error instanceof BlockedUrlError) return reject(new SendError('BLOCKED_ADDRESS', error.message));
      reject(new SendError('CONNECTION_FAILED', `Could not deliver: ${error.message}`));
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        finish();
        const retryAfter = response.headers['retry-after'];
        resolve({
          status: response.statusCode ?? 0,
          retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
          snippet: Buffer.concat(chunks).toString('utf8').slice(0, SNIPPET),
        });
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (read >= MAX_READ) return;
        chunks.push(chunk.subarray(0, MAX_READ - read));
        read += chunk.length;
        if (read >= MAX_READ) done(); // enough: the rest is not read
      });
      response.on('end', done);
      response.on('error', () => done());
    });
    request.end(body);
  });
}
