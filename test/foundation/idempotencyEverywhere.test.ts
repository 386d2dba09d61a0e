/**
 * `Idempotency-Key` on the creating POSTs that take uploads or create without a job: the same
 * key and body again gets the same resource (one, counted), a different body with the same key
 * gets 422 in the content envelope and creates nothing. Uploads are real multipart over HTTP,
 * with a new boundary on every send (as clients do).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSampleVideo, sendUploadPart } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type Answer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let media: string;
let sample: Buffer;
beforeAll(async () => {
  server = await startTestServer();
  media = tempDir('longrun-idem-media-');
  sample = fs.readFileSync(makeSampleVideo(media));
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

const reused = { success: false, error: 'idempotency_key_reused', message: 'This Idempotency-Key was already used with a different request.' };

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

function uploadForm(key: string, idempotencyKey: string, bytes: Buffer, name: string): Promise<Answer> {
  const form = new FormData();
  form.append('name', name);
  form.append('file', new Blob([new Uint8Array(bytes)]), 'sample.mp4');
  return fetch(`${server.url}/clips`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'idempotency-key': idempotencyKey }, body: form }).then(
    answerOf,
  );
}

function twice(url: string, init: Parameters<typeof call>[1]): Promise<[Answer, Answer]> {
  return call(url, init).then(async (first) => [first, await call(url, init)]);
}

describe('Idempotency-Key on every creating POST', () => {
  it('POST /clips (multipart): the same form again is the same clip, whatever its boundary', async () => {
    const { org, key } = await server.newOrg('clips');
    const first = await uploadForm(key, 'upload-1', sample, 'Launch');
    const second = await uploadForm(key, 'upload-1', sample, 'Launch');
    expect(first.status, first.text).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.data.id).toBe(first.body.data.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(`${server.url}/clips`, { key })).body.data.total).toBe(1);

    // Other bytes, or another name, under the same key: refused, and nothing of them kept.
    const otherBytes = Buffer.from(sample);
    otherBytes[otherBytes.length - 1]! ^= 0xff;
    for (const [bytes, name] of [
      [otherBytes, 'Launch'],
      [sample, 'Other name'],
    ] as const) {
      const other = await uploadForm(key, 'upload-1', bytes, name);
      expect(other.status).toBe(422);
      expect(other.body).toEqual(reused);
    }
    expect((await call(`${server.url}/clips`, { key })).body.data.total).toBe(1);
    expect(fs.readdirSync(path.join(server.config.clips.dir, org.id))).toEqual([first.body.data.id]);
  });

  it('POST /clips/uploads and POST /clips/uploads/{id}/complete', async () => {
    const { org, key } = await server.newOrg('uploads');
    const body = { fileName: 'sample.mp4', size: sample.length, partSize: 64 * 1024 };
    const headers = { 'idempotency-key': 'start-1' };
    const [first, second] = await twice(`${server.url}/clips/uploads`, { key, headers, json: body });
    expect(first.status).toBe(201);
    expect(second.body.data.uploadId).toBe(first.body.data.uploadId);
    const uploads = () => server.store.db.selectFrom('clip_uploads').select('id').where('org_id', '=', org.id).execute();
    expect(await uploads()).toHaveLength(1); // uploads have no list route
    const other = await call(`${server.url}/clips/uploads`, { key, headers, json: { ...body, name: 'else' } });
    expect(other.status).toBe(422);
    expect(other.body).toEqual(reused);
    expect(await uploads()).toHaveLength(1);

    const uploadId = first.body.data.uploadId as string;
    for (let n = 1; n <= first.body.data.parts; n++) {
      const part = sample.subarray((n - 1) * body.partSize, n * body.partSize);
      const put = await sendUploadPart(server.url, key, uploadId, n, part);
      expect(put.status).toBe(200);
    }
    // A retry of `complete` whose answer was lost finds the clip, not a 404.
    const [done, again] = await twice(`${server.url}/clips/uploads/${uploadId}/complete`, {
      key,
      method: 'POST',
      headers: { 'idempotency-key': 'complete-1' },
    });
    expect(done.status, done.text).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.data.id).toBe(done.body.data.id);
    expect((await call(`${server.url}/clips`, { key })).body.data.total).toBe(1);
  });

  it('POST /clips/{id}/candidates', async () => {
    const { key } = await server.newOrg('candidates');
    const clipId = (await uploadForm(key, 'clip', sample, 'For candidates')).body.data.id as string;
    const headers = { 'idempotency-key': 'cand-1' };
    const [first, second] = await twice(`${server.url}/clips/${clipId}/candidates`, { key, headers, json: { startMs: 1000, endMs: 9000, title: 'Intro' } });
    expect(first.status).toBe(201);
    expect(second.body.data.id).toBe(first.body.data.id);
    const other = await call(`${server.url}/clips/${clipId}/candidates`, { key, headers, json: { startMs: 1000, endMs: 9000, title: 'Outro' } });
    expect(other.status).toBe(422);
    expect(other.body).toEqual(reused);
    // The clip's analysis adds candidates of its own meanwhile: count the ones of the caller.
    const listed = (await call(`${server.url}/clips/${clipId}`, { key })).body.data.candidates as { id: string }[];
    expect(listed.filter((c) => c.id === first.body.data.id)).toHaveLength(1);
    const users = await server.store.db.selectFrom('clip_candidates').select('id').where('clip_id', '=', clipId).where('source', '=', 'user').execute();
    expect(users).toEqual([{ id: first.body.data.id }]);
  });

  it('POST /kbs/{id}/docs: the same bytes and type again are the same document', async () => {
    const { key } = await server.newOrg('docs');
    const kbId = (await call(`${server.url}/kbs`, { key, json: { name: 'Notes' } })).body.data.id as string;
    const post = (type: string, body: string, idem = 'doc-1') =>
      fetch(`${server.url}/kbs/${kbId}/docs?title=Note`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': type, 'idempotency-key': idem },
        body,
      }).then(answerOf);
    const first = await post('text/markdown', '# Notes\n\nHello.');
    const second = await post('text/markdown', '# Notes\n\nHello.');
    expect(first.status).toBe(202);
    expect(second.body.data.id).toBe(first.body.data.id);
    for (const [type, body] of [
      ['text/markdown', '# Notes\n\nGoodbye.'],
      ['text/html', '# Notes\n\nHello.'],
    ]) {
      const other = await post(type!, body!);
      expect(other.status).toBe(422);
      expect(other.body).toEqual(reused);
    }
    expect((await call(`${server.url}/kbs/${kbId}/docs`, { key })).body.data.total).toBe(1);
    // Another key is another document.
    expect((await post('text/markdown', '# Notes\n\nHello.', 'doc-2')).body.data.id).not.toBe(first.body.data.id);
    expect((await call(`${server.url}/kbs/${kbId}/docs`, { key })).body.data.total).toBe(2);
  });

  it('the same request through an encoded path is the same request', async () => {
    const { key } = await server.newOrg('encoded');
    const headers = { 'idempotency-key': 'kb-1' };
    const plain = await call(`${server.url}/kbs`, { key, headers, json: { name: 'Same' } });
    const encoded = await call(`${server.url}/%6Bbs`, { key, headers, json: { name: 'Same' } });
    expect(encoded.status).toBe(201);
    expect(encoded.body.data.id).toBe(plain.body.data.id);
    expect((await call(`${server.url}/kbs`, { key })).body.data.total).toBe(1);
  });
});
