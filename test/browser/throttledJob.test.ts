/**
 * A job held by a throttle (issue 32) says so in the dashboard: its page and the jobs list read
 * "queued, throttled", not a bare "queued" that looks stuck. The server throttles the demo kind
 * to one start an hour, so the second job waits for the whole test.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { until } from '../helpers/wait.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, signIn } from './browser.ts';

describe('dashboard: a throttled job', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_THROTTLES: 'sleep=1/1h' }, credits: 100 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reads "queued, throttled" on its page and in the list', async () => {
    const { key } = await server.newOrg('throttled', { credits: 50 });
    const submit = async (name: string) =>
      (await call(`${server.url}/demo/sleep`, { key, json: { items: 1, ms: 0 }, headers: { 'idempotency-key': name } })).body.data.jobId as string;
    await submit('first');
    const second = await submit('second');
    await until('the second job throttled', async () => (await call(`${server.url}/jobs/${second}`, { key })).body.data.waitingReason === 'throttled');

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, key, `#/jobs/${second}`);
    await expect.poll(() => page.locator('.badge[data-status="queued"]').first().textContent()).toBe('queued, throttled');
    expect(await seriousViolations(page)).toEqual([]);

    await open(page, '#/jobs', 'Jobs');
    await expect.poll(() => page.locator(`tr:has(a[href$="${second}"]) .badge`).textContent()).toBe('queued, throttled');
    await context.close();
  });
});
