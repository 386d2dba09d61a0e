/**
 * Fetches a media file from a URL to disk, under the same SSRF guard as webhooks: http(s) only
 * as allowed, every host resolved once and checked before connecting, at most 3 redirects (each
 * checked again), a size limit and a time limit. The body streams to disk.
 *
 * With tracing on, each request (each redirect's too) is a client span under the item's, ending
 * when its body is on disk. No `traceparent` is sent: the host is whatever URL a caller gave,
 * not a party to the trace.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { checkUrl, guardedLookup, type GuardOptions } from './addressGuard.ts';
import { httpClientSpanStart } from './httpClientSpan.ts';

const MAX_REDIRECTS = 3;

export class ImportError extends Error {
  override name = 'ImportError';
}

function get(url: URL, guard: GuardOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.get(url, { lookup: guardedLookup(guard) as never, agent: false, signal, headers: { 'user-agent': 'longrun-import/1' } });
    request.on('response', resolve);
    request.on('error', reject);
  });
}

export async function fetchToFile(
  raw: string,
  dest: string,
  options: GuardOptions & { maxBytes: number; timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let url = checkUrl(raw, options);
  for (let hop = 0; ; hop++) {
    const span = httpClientSpanStart('GET', url);
    let response: http.IncomingMessage;
    try {
      response = await get(url, options, signal);
    } catch (error) {
      span.end({ error });
      throw new ImportError(
        timeout.aborted ? `The download took longer than ${options.timeoutMs} ms.` : `Could not fetch ${url.host}: ${(error as Error).message}`,
      );
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      span.end({ status });
      if (hop >= MAX_REDIRECTS) throw new ImportError(`More than ${MAX_REDIRECTS} redirects.`);
      url = checkUrl(new URL(response.headers.location, url).toString(), options);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      span.end({ status });
      throw new ImportError(`The URL answered ${status}.`);
    }
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > options.maxBytes) {
      response.destroy();
      const tooLarge = new ImportError(`The file is ${declared} bytes; the limit is ${options.maxBytes}.`);
      span.end({ error: tooLarge });
      throw tooLarge;
    }
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) response.destroy(new ImportError(`The file is larger than the limit of ${options.maxBytes} bytes.`));
    });
    try {
      await pipeline(response, fs.createWriteStream(dest));
    } catch (error) {
      fs.rmSync(dest, { force: true });
      span.end({ error });
      throw error instanceof ImportError ? error : new ImportError(`The download failed: ${(error as Error).message}`);
    }
    span.end({ status });
    return;
  }
}
