/**
 * Errors raised before a route's handler runs — by the router, Node's HTTP parser, the body
 * parsers, the multipart reader — answer in the envelope of the route's family with the right
 * status, and create nothing. Requests are written byte for byte on a socket, so malformed ones
 * reach the server as they are.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closingDelimiterWatch } from '../../src/http/multipartForm.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_CLIP_MAX_BYTES: '4096' } });
});
afterAll(() => server?.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Writes `request` on a fresh socket and reads the answer until the server closes it. */
function rawRequest(request: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let body: unknown;
      try {
        body = JSON.parse(rest.join('\r\n\r\n'));
      } catch {
        body = undefined;
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    // A server that never answers fails the test rather than hanging it.
    socket.setTimeout(5_000, () => reject(new Error(`no answer within 5 s to ${String(request).slice(0, 60)}`)));
  });
}

function send(method: string, target: string, opts: { key?: string; type?: string; body?: string | Buffer; headers?: string } = {}) {
  const body = opts.body ?? '';
  const head =
    `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n` +
    (opts.key ? `Authorization: Bearer ${opts.key}\r\n` : '') +
    (opts.type ? `Content-Type: ${opts.type}\r\n` : '') +
    (opts.headers ?? '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return rawRequest(Buffer.concat([Buffer.from(head), Buffer.from(body)]));
}

const sourcingError = (errorCode: string) => ({ success: false, errorCode, errorMessage: expect.any(String) });
const contentError = (error: string) => ({ success: false, error, message: expect.any(String) });

describe('errors of the router and the HTTP parser', () => {
  it('a malformed percent-encoding is 400 in the family of its path', async () => {
    const sourcing = await send('GET', '/profiles/%ff', { key: server.key });
    expect(sourcing.status).toBe(400);
    expect(sourcing.body).toEqual(sourcingError('BAD_REQUEST'));
    expect(sourcing.headers['x-request-id']).toBeTruthy();
    const content = await send('GET', '/clips/%ff', { key: server.key });
    expect(content.status).toBe(400);
    expect(content.body).toEqual(contentError('bad_request'));
    expect((await send('GET', '/%ff')).body).toEqual(contentError('bad_request'));
  });

  it('a path parameter over the length limit is 414 in the family of its path', async () => {
    const sourcing = await send('GET', `/profiles/prof_${'a'.repeat(120)}`, { key: server.key });
    expect(sourcing.status).toBe(414);
    expect(sourcing.body).toEqual(sourcingError('URI_TOO_LONG'));
    const nested = await send('GET', `/sourcing/enrich/${'e'.repeat(101)}/results`, { key: server.key });
    expect(nested.body).toEqual(sourcingError('URI_TOO_LONG'));
    const clips = await send('DELETE', `/clips/${'c'.repeat(101)}`, { key: server.key });
    expect(clips.status).toBe(414);
    expect(clips.body).toEqual(contentError('uri_too_long'));
  });

  it('the family follows the decoded path, like the router', async () => {
    const profile = await send('GET', '/%70rofiles/prof_missing', { key: server.key });
    expect(profile.status).toBe(404);
    expect(profile.body).toEqual(sourcingError('PROFILE_NOT_FOUND'));
    const invalid = await send('POST', '/%73ourcing', { key: server.key, type: 'application/json', body: '{"title":' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual(sourcingError('INVALID_JSON'));
    // An absolute-form request target is routed by its path, and so is its family.
    const absolute = await send('GET', `${server.url}/profiles/prof_missing`, { key: server.key });
    expect(absolute.body).toEqual(sourcingError('PROFILE_NOT_FOUND'));
  });

  it('a public route is public however its path is encoded', async () => {
    const health = await send('GET', '/%68ealthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ success: true, data: { status: 'ok' } });
    // …and a private one stays private.
    expect((await send('GET', '/%63lips')).body).toEqual(contentError('unauthorized'));
  });

  it("Node's parser errors: headers too large 431, a malformed request 400, in the family of the request line", async () => {
    const big = await send('GET', '/profiles/prof_x', { headers: `X-Filler: ${'a'.repeat(20_000)}\r\n` });
    expect(big.status).toBe(431);
    expect(big.body).toEqual(sourcingError('HEADER_FIELDS_TOO_LARGE'));
    const bigContent = await send('GET', '/clips', { headers: `X-Filler: ${'a'.repeat(20_000)}\r\n` });
    expect(bigContent.body).toEqual(contentError('header_fields_too_large'));
    const malformed = await rawRequest('GET /sourcing/x HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n\r\n');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual(sourcingError('BAD_REQUEST'));
  });
});

describe('POST /clips takes multipart/form-data only, and every broken form is a 4xx that keeps nothing', () => {
  const boundary = 'b0undary';
  const fieldPart = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const filePart = (content: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n${content}\r\n`;
  const close = `--${boundary}--\r\n`;
  const formType = `multipart/form-data; boundary=${boundary}`;

  let key: string;
  let orgId: string;
  beforeAll(async () => {
    const made = await server.newOrg('forms');
    key = made.key;
    orgId = made.org.id;
  });

  /** The request created nothing: no clip row, no file. */
  async function nothingKept() {
    expect((await call(`${server.url}/clips`, { key })).body.data.total).toBe(0);
    const dir = path.join(server.config.clips.dir, orgId);
    expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  }

  const postForm = (body: string, type = formType) => send('POST', '/clips', { key, type, body });

  it.each([
    [
      'more fields than allowed (a complete form, answered at once)',
      Array.from({ length: 11 }, (_, i) => fieldPart(`f${i}`, 'v')).join('') + filePart('abc') + close,
      /more than 10 fields/,
    ],
    [
      'more fields than allowed after the file',
      filePart('abc') + Array.from({ length: 11 }, (_, i) => fieldPart(`f${i}`, 'v')).join('') + close,
      /more than 10 fields/,
    ],
    ['two files', filePart('abc') + filePart('def') + close, /more than one file/],
    ['a file over the size limit', filePart('x'.repeat(5000)) + close, /larger than the limit of 4096 bytes/],
    ['a field over its size limit', fieldPart('name', 'n'.repeat(10_001)) + filePart('abc') + close, /longer than 10000 bytes/],
  ])('%s: 413', async (_name, body, message) => {
    const answer = await postForm(body);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(contentError('payload_too_large'));
    expect(answer.body.message).toMatch(message);
    await nothingKept();
  });

  it('answers 413 at once, before the rest of a large body is sent', async () => {
    const { hostname, port } = new URL(server.url);
    const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\n`;
    for (const start of [Array.from({ length: 11 }, (_, i) => fieldPart(`f${i}`, 'v')).join('') + fileHead, fileHead]) {
      const sent = Buffer.concat([Buffer.from(start), Buffer.alloc(64 * 1024, 1)]);
      const statusLine = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), hostname, () => {
          // Announces 100 MiB and sends 64 KiB of it: the answer cannot wait for the rest.
          socket.write(
            `POST /clips HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nContent-Type: ${formType}\r\nContent-Length: ${sent.length + 100 * 1024 * 1024}\r\n\r\n`,
          );
          socket.write(sent);
        });
        socket.once('data', (chunk) => {
          resolve(chunk.toString('latin1').split('\r\n', 1)[0]!);
          socket.destroy();
        });
        socket.on('error', reject);
        socket.setTimeout(5_000, () => reject(new Error('no answer before the body ended')));
      });
      expect(statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    }
    await nothingKept();
  });

  it('more fields than allowed, from a real client: 413, not silence', async () => {
    const form = new FormData();
    for (let i = 0; i < 11; i++) form.append(`f${i}`, 'v');
    form.append('file', new Blob([new Uint8Array(100)]), 'a.mp4');
    const response = await fetch(`${server.url}/clips`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(contentError('payload_too_large'));
    await nothingKept();
  });

  it.each([
    ['no boundary', filePart('abc') + close, 'multipart/form-data', /no boundary/],
    ['a body cut off inside the file', (filePart('abcdef') + close).slice(0, 110), formType, /truncated|malformed/],
    ['a body cut off inside a part header', filePart('abc').slice(0, 30), formType, /truncated|malformed/],
    ['a body without its closing boundary', fieldPart('name', 'x') + filePart('abc'), formType, /truncated|malformed/],
  ])('%s: 400', async (_name, body, type, message) => {
    const answer = await postForm(body, type);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(contentError('bad_request'));
    expect(answer.body.message).toMatch(message);
    await nothingKept();
  });

  it.each([
    ['JSON', 'application/json', '{"name":"x"}'],
    ['text', 'text/plain', 'hello'],
    ['octet-stream', 'application/octet-stream', 'abc'],
  ])('a %s body: 415', async (_name, type, body) => {
    const answer = await postForm(body, type);
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual(contentError('unsupported_media_type'));
    expect(answer.body.message).toContain('multipart/form-data');
    await nothingKept();
  });

  it('finds the closing delimiter however the body is cut into chunks', () => {
    const body = Buffer.from(fieldPart('name', 'x') + filePart('abc') + close);
    for (let cut = 1; cut < body.length; cut++) {
      for (const cutTwice of [cut, Math.min(body.length - 1, cut + 3)]) {
        const stream = new EventEmitter();
        const watch = closingDelimiterWatch(stream, boundary);
        for (const chunk of [body.subarray(0, cut), body.subarray(cut, cutTwice), body.subarray(cutTwice)]) stream.emit('data', chunk);
        expect(watch.seen(), `cut at ${cut}, ${cutTwice}`).toBe(true);
      }
      const short = body.subarray(0, body.length - 3); // `--b0undary-`
      const truncated = new EventEmitter();
      const watch = closingDelimiterWatch(truncated, boundary);
      for (const chunk of [short.subarray(0, cut), short.subarray(cut)]) truncated.emit('data', chunk);
      expect(watch.seen()).toBe(false);
    }
  });

  it('a form without a file part: 422', async () => {
    const answer = await postForm(fieldPart('name', 'x') + close);
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual(contentError('validation_error'));
    await nothingKept();
  });
});

describe('the other routes that take a raw body refuse other types with 415, before reading it', () => {
  it('PUT /clips/uploads/{id}/parts/{n} takes application/octet-stream only', async () => {
    const { key } = await server.newOrg('parts');
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'a.mp4', size: 4000 } });
    expect(started.status).toBe(201);
    const uploadId = started.body.data.uploadId;
    for (const [type, body] of [
      ['application/json', '{"a":1}'],
      ['text/plain', 'abc'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'],
    ]) {
      const answer = await send('PUT', `/clips/uploads/${uploadId}/parts/1`, { key, type, body, headers: `x-content-sha256: ${'0'.repeat(64)}\r\n` });
      expect(answer.status, type).toBe(415);
      expect(answer.body).toEqual(contentError('unsupported_media_type'));
    }
    expect((await call(`${server.url}/clips/uploads/${uploadId}`, { key })).body.data.received).toEqual([]);
  });

  it('POST /clips/uploads/{id}/complete takes no application/octet-stream body: 415, with or without an Idempotency-Key', async () => {
    const { key } = await server.newOrg('complete');
    const started = await call(`${server.url}/clips/uploads`, { key, json: { fileName: 'a.mp4', size: 4000 } });
    const uploadId = started.body.data.uploadId;
    for (const headers of ['', 'idempotency-key: k1\r\n']) {
      const answer = await send('POST', `/clips/uploads/${uploadId}/complete`, { key, type: 'application/octet-stream', body: 'abc', headers });
      expect(answer.status, headers).toBe(415);
      expect(answer.body).toEqual(contentError('unsupported_media_type'));
    }
  });

  it('POST /kbs/{id}/docs takes text, Markdown, HTML, PDF or JSON', async () => {
    const { key } = await server.newOrg('docs');
    const kbId = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data.id;
    for (const [type, body] of [
      ['application/octet-stream', 'abc'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'],
      ['application/xml', '<a/>'],
      ['', 'no type at all'],
    ]) {
      const answer = await send('POST', `/kbs/${kbId}/docs`, { key, type, body });
      expect(answer.status, type).toBe(415);
      expect(answer.body).toEqual(contentError('unsupported_media_type'));
    }
    expect((await call(`${server.url}/kbs/${kbId}/docs`, { key })).body.data.total).toBe(0);
    for (const type of ['text/plain', 'text/markdown', 'text/html; charset=utf-8']) {
      expect((await send('POST', `/kbs/${kbId}/docs`, { key, type, body: '<p>hello</p>' })).status, type).toBe(202);
    }
    expect((await call(`${server.url}/kbs/${kbId}/docs`, { key })).body.data.total).toBe(3);
  });

  it('POST /clips/{id}/captions takes SRT, WebVTT, text or JSON', async () => {
    const { key } = await server.newOrg('captions');
    for (const [type, body] of [
      ['application/octet-stream', 'abc'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'],
      ['', 'WEBVTT'],
    ]) {
      const answer = await send('POST', '/clips/clip_01ARZ3NDEKTSV4RRFFQ69G5FAV/captions', { key, type, body });
      expect(answer.status, type).toBe(415);
      expect(answer.body).toEqual(contentError('unsupported_media_type'));
    }
    const rows = await server.store.db.selectFrom('clip_captions').select('clip_id').execute();
    expect(rows).toEqual([]);
  });
});
