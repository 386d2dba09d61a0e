/**
 * GET /clips/{clipId}/jobs behaves like every status route: Retry-After while a render is queued
 * or running, and `?wait=N` held until one of them changes status. No worker runs here, so a
 * render stays queued until the test cancels it; the clip and its candidate are written directly
 * (no analysis needed to render-queue a segment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
const clipId = 'clip_01JWAITWAITWAITWAITWAITWA';
const candidateId = 'cand_01JWAITWAITWAITWAITWAITWA';

beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_WORKERS: '0' } });
  const now = new Date().toISOString();
  await server.store.db
    .insertInto('clips')
    .values({
      id: clipId,
      org_id: server.org.id,
      name: 'waiting.mp4',
      status: 'ready',
      error: null,
      source_path: null,
      file_size: 1,
      duration_ms: 30_000,
      width: 640,
      height: 360,
      video_codec: 'h264',
      audio_codec: 'aac',
      created_at: now,
      updated_at: now,
    })
    .execute();
  await server.store.db
    .insertInto('clip_candidates')
    .values({ id: candidateId, clip_id: clipId, start_ms: 0, end_ms: 5_000, title: 'Start', score: null, source: 'user', created_at: now })
    .execute();
});
afterAll(() => server?.close());

const list = (query = '') => call(`${server.url}/clips/${clipId}/jobs${query}`, { key: server.key });

describe('GET /clips/{clipId}/jobs', () => {
  it('answers at once, without Retry-After, while the clip has no unfinished render, even with ?wait', async () => {
    const answer = await list('?wait=30');
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([]);
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  // The held ?wait=30 below, if no change woke it, would answer at its 30 s limit: past this test's 20 s timeout.
  it('sends Retry-After while a render is queued, holds ?wait until it changes, and stops sending it once it ended', { timeout: 20_000 }, async () => {
    const accepted = await call(`${server.url}/clips/${clipId}/render`, { key: server.key, json: { candidateId } });
    expect(accepted.status, accepted.text).toBe(202);
    const jobId = accepted.body.data.jobId as string;

    const queued = await list();
    expect(queued.body.data).toMatchObject([{ id: jobId, status: 'queued' }]);
    expect(Number(queued.headers.get('retry-after'))).toBeGreaterThan(0);

    let answered = false;
    const held = list('?wait=30').then((answer) => {
      answered = true;
      return answer;
    });
    // A request sent after the held one is answered first: the held one is waiting, not done.
    expect((await list()).status).toBe(200);
    expect((await call(`${server.url}/me`, { key: server.key })).status).toBe(200);
    expect(answered).toBe(false);

    expect((await call(`${server.url}/jobs/${jobId}/cancel`, { key: server.key, method: 'POST' })).status).toBeLessThan(300);
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject([{ id: jobId, status: 'canceled' }]);
    expect(answer.headers.get('retry-after')).toBeNull();
  });
});
