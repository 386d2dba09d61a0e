/**
 * The overview, the page after sign-in (issue 33, point 1): jobs by kind and status now, the
 * throughput and failure-rate charts with their table fallback, the queued job waiting longest,
 * failures by error code and the worker processes alive (only for a key granted workers:read).
 * Every page checked here passes axe-core with no serious or critical violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { PRODUCT_SCOPES } from '../../src/scopes.ts';
import { processBeat } from '../../src/store/processes/processBeat.ts';
import { waitForJob } from '../helpers/testEngine.ts';
import { until } from '../helpers/wait.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, scrollsSideways, signIn } from './browser.ts';

describe('dashboard: overview', () => {
  let server: TestServer;
  let browser: Browser;
  let operatorKey: string;
  let waiting: string;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 100 });
    for (const body of [
      { items: 3, ms: 1 },
      { items: 2, ms: 1, fail: ['item-2'] },
    ]) {
      const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: body });
      expect(submitted.status, submitted.text).toBe(202);
      await waitForJob(server.engine, server.store, submitted.body.data.jobId);
    }
    // Workers stopped: the next job waits in the queue.
    await server.engine.stop();
    waiting = (await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 1 } })).body.data.jobId;
    await processBeat(server.store.db, {
      id: 'test-host:4242:a',
      host: 'test-host',
      pid: 4242,
      role: 'worker',
      version: '0.1.0',
      jobsHeld: 0,
      workerSlots: 4,
      aliveMs: 600_000,
    });
    operatorKey = (await apiKeyCreate(server.store.db, { orgId: server.org.id, name: 'operator', scopes: [...PRODUCT_SCOPES, 'workers:read'] })).key;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lands on the overview after sign-in, with the queue, the charts, the failures and the workers', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('API key').fill(operatorKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBe('page');

    const now = page.locator('section[aria-labelledby="overview-now"]');
    await now.getByRole('link', { name: waiting }).waitFor();
    expect(await now.locator('dd').first().innerText()).toBe('1');

    const kinds = page.getByRole('table', { name: 'Jobs by kind and status' });
    const sleep = kinds.locator('tbody tr', { hasText: 'sleep' });
    expect(await sleep.locator('td').allInnerTexts()).toEqual(['sleep', '1', '0', '2', '0', '0']);

    // Each chart is an image named by its title and described by its summary, with a table.
    const throughput = page.getByRole('img', { name: /Jobs ended per 5 minutes/ });
    expect(await throughput.getAttribute('aria-labelledby')).toBe('chart-throughput-title chart-throughput-desc');
    expect(await page.locator('#chart-throughput-desc').textContent()).toBe('2 jobs ended in the last hour: 2 completed, 0 failed, 0 canceled.');
    expect(await page.locator('#chart-throughput rect.chart-bar').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-failure-rate-desc').textContent()).toContain('20 % of 5 items failed');

    await page.getByRole('table', { name: 'Failures by error code' }).getByText('DEMO_FAILURE').waitFor();
    await page.getByRole('table', { name: 'Worker processes alive' }).getByText('test-host (pid 4242)').waitFor();
    // Every time shows the exact instant on hover.
    const time = page.locator('section[aria-labelledby="overview-workers"] time').first();
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'overview', { docs: true, fullPage: true });
    await page.locator('#chart-throughput summary').click();
    const rows = page.locator('#chart-throughput table tbody tr');
    expect(await rows.count()).toBe(12);

    // The last day: 24 hourly buckets, and the choice kept in the address.
    await page.getByRole('radio', { name: 'Last day' }).check();
    await page.getByRole('img', { name: /Jobs ended per hour/ }).waitFor();
    expect(page.url()).toContain('window=day');
    expect(await page.locator('#chart-throughput table tbody tr').count()).toBe(24);
    await context.close();
  });

  it('marks its timed refreshes as polls (logged at debug), not the load the user asked for', { timeout: 40_000 }, async () => {
    const { context, page } = await newPage(browser);
    const reads: { path: string; poll: string | undefined }[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/stats/jobs' || path === '/workers') reads.push({ path, poll: request.headers()['x-longrun-poll'] });
    });
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('API key').fill(operatorKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // The refresh comes 10 s after the first load, both of its reads marked.
    await until('the timed refresh', () => reads.filter((r) => r.poll === '1').length >= 2, { timeoutMs: 30_000 });
    expect(reads.slice(0, 2).map((r) => r.poll)).toEqual([undefined, undefined]);
    expect(reads.filter((r) => r.poll === '1').map((r) => r.path)).toEqual(['/stats/jobs', '/workers']);
    await context.close();
  });

  it('says what a key without workers:read misses, and fits a phone screen', async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, server.url, server.key, '#/');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.getByText('needs a key granted the').waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    // From Overview to Overview: the old heading answers open()'s wait, so wait for the choice itself.
    await open(page, '#/overview?window=day', 'Overview');
    await page.getByRole('radio', { name: 'Last day', checked: true }).waitFor();
    await context.close();
  });
});
