/** POST /clips/import: the server fetches a URL under the SSRF guard of webhooks. */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipWhenAnalysed, makeSampleVideo } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

let permissive: TestServer; // may fetch from loopback (as the tests' media server is)
let strict: TestServer; // the defaults
let media: string;
let origin: string;
let files: http.Server;
beforeAll(async () => {
  permissive = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1' } });
  strict = await startTestServer();
  media = tempDir('longrun-media-');
  const sample = makeSampleVideo(media);
  files = http.createServer((req, res) => {
    if (req.url === '/media/sample.mp4') return fs.createReadStream(sample).pipe(res.writeHead(200, { 'content-type': 'video/mp4' }));
    if (req.url === '/go') return res.writeHead(302, { location: '/media/sample.mp4' }).end();
    if (req.url === '/garbage.mp4') return res.writeHead(200).end(Buffer.alloc(50_000, 9));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  files?.closeAllConnections();
  await new Promise((r) => files?.close(r));
  await permissive?.close();
  await strict?.close();
  fs.rmSync(media, { recursive: true, force: true });
});

describe('importing a clip from a URL', () => {
  it('downloads it (following a redirect), probes and analyses it', async () => {
    const { key } = await permissive.newOrg('import');
    const accepted = await call(`${permissive.url}/clips/import`, { key, json: { url: `${origin}/go`, name: 'Imported' } });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.body.data).toMatchObject({ name: 'Imported', status: 'uploading', duration: null });
    const clip = await clipWhenAnalysed(permissive.url, key, accepted.body.data.id);
    expect(clip).toMatchObject({ status: 'ready', duration: 30, width: 320, height: 240 });
    expect(clip.candidates.length).toBeGreaterThanOrEqual(2);
  });

  it('fails the clip with the reason when the file cannot be read or fetched, keeping no file', async () => {
    const { org, key } = await permissive.newOrg('import-bad');
    for (const [path, reason] of [
      ['/garbage.mp4', /^ffprobe cannot read the file/],
      ['/missing.mp4', /The URL answered 404/],
    ] as const) {
      const accepted = await call(`${permissive.url}/clips/import`, { key, json: { url: `${origin}${path}` } });
      const clip = await clipWhenAnalysed(permissive.url, key, accepted.body.data.id);
      expect(clip.status).toBe('failed');
      expect(clip.error).toMatch(reason);
    }
    expect(fs.existsSync(`${permissive.config.clips.dir}/${org.id}`) ? fs.readdirSync(`${permissive.config.clips.dir}/${org.id}`) : []).toEqual([]);
  });

  it('refuses loopback, private and metadata addresses, and http, by default', async () => {
    const { key } = await strict.newOrg('import-ssrf');
    for (const url of [
      `https://127.0.0.1/a.mp4`,
      'https://10.0.0.1/a.mp4',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/a.mp4',
      'https://localhost/a.mp4',
      'http://example.com/a.mp4',
    ]) {
      const answer = await call(`${strict.url}/clips/import`, { key, json: { url } });
      expect(answer.status, url).toBe(422);
      expect(answer.body.message, url).toMatch(/body.url is refused/);
    }
    expect((await call(`${strict.url}/clips`, { key })).body.data.total).toBe(0);
  });
});
