/**
 * How longrun serves the dashboard: public files under /dashboard/ (no key), a redirect from
 * /dashboard, a Content-Security-Policy, long caching for hashed assets only, the content
 * envelope for a missing file, and a 503 with the build command when it was never built.
 */
import fs from 'node:fs';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPlugin } from '../../src/http/plugins/dashboard.ts';
import { errorsPlugin } from '../../src/http/plugins/errors.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { requireDashboardBuilt } from './browser.ts';

describe('serving the dashboard', () => {
  let server: TestServer;

  beforeAll(async () => {
    requireDashboardBuilt();
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('serves the page and its assets without a key, under a Content-Security-Policy', async () => {
    const redirect = await fetch(`${server.url}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/dashboard/');

    const page = await call(`${server.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // Everything the page loads comes from longrun itself.
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => u !== 'data:,');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/dashboard\/assets\//);
      const answer = await fetch(`${server.url}${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get('cache-control')).toContain('immutable');
    }
  });

  it('answers a missing file with the content envelope, and the API still needs a key', async () => {
    const missing = await call(`${server.url}/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ success: false, error: 'not_found' });
    expect((await call(`${server.url}/jobs`)).status).toBe(401);
    expect((await call(`${server.url}/dashboardx`)).status).toBe(401);
  });

  it('answers 503 with the build command when the dashboard was not built', async () => {
    const empty = tempDir('longrun-dashboard-');
    const app = Fastify();
    await app.register(errorsPlugin);
    await app.register(dashboardPlugin, { distDir: empty });
    try {
      for (const url of ['/dashboard', '/dashboard/', '/dashboard/assets/index.js']) {
        const answer = await app.inject({ url });
        expect(answer.statusCode, url).toBe(503);
        expect(answer.json()).toMatchObject({ success: false, error: 'service_unavailable', message: expect.stringContaining('npm run build:dashboard') });
      }
    } finally {
      await app.close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
