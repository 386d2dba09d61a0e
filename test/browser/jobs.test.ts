/**
 * The jobs pages (issue 33, point 3): find a job by its ID, filter by creation day, input and
 * output in a JSON viewer, and retries shown on the items and in the event timeline (an
 * `item.retrying` event: the attempt, its error, when the item runs again). Each page passes
 * axe-core with no serious or critical violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('dashboard: jobs', () => {
  let server: TestServer;
  let browser: Browser;
  let flaky: string;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 50 });
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 3, ms: 1, flaky: ['item-2'] } });
    expect(submitted.status, submitted.text).toBe(202);
    flaky = submitted.body.data.jobId;
    await waitForJob(server.engine, server.store, flaky);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds a job by its ID and shows its retries on the item and in the timeline', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/jobs');
    await page.getByRole('link', { name: flaky }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('searchbox', { name: 'Find a job by ID' }).fill(flaky);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Job ${flaky}` }).waitFor();

    const item = page.locator('.items li.item', { hasText: 'item-2' });
    await item.getByText('2 attempts (1 retry)').waitFor();
    expect(await page.locator('.items li.item', { hasText: 'item-1' }).getByText('1 attempt', { exact: true }).count()).toBe(1);
    const retry = page.locator('.timeline li[data-type="item.retrying"]');
    await retry.getByText('Item item-2 attempt 1 failed: DEMO_FLAKE item-2 fails its first attempt.').waitFor();
    expect(await retry.count()).toBe(1);
    // When it runs again, in the browser's locale, the exact instant on hover.
    expect(await retry.locator('.event-retries time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await page.locator('.timeline li[data-type="item.succeeded"][data-item="item-2"]').waitFor();

    // Input and output in the JSON viewer: a tree, keys and values written out.
    await page.locator('details.json', { hasText: 'Input' }).locator('> summary').click();
    const input = page.getByRole('list', { name: 'Input' });
    await input.getByText('items:').waitFor();
    expect(await input.locator('.json-number').first().textContent()).toBe('3');
    await input.getByText('"item-2"').waitFor();
    await page.getByRole('button', { name: 'Copy JSON' }).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'job-retries', { fullPage: true });

    // An ID that names nothing: the job page says so.
    await open(page, '#/jobs', 'Jobs');
    await page.getByRole('searchbox', { name: 'Find a job by ID' }).fill('job_nothing');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();
    await context.close();
  });

  it('filters by the day a job was created, in the browser’s time zone, and keeps it in the address', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/jobs');
    await page.getByRole('link', { name: flaky }).waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

    await page.getByLabel('Created from').fill(tomorrow);
    await page.getByText('No jobs match.').waitFor();
    expect(page.url()).toContain(`from=${tomorrow}`);
    await page.getByLabel('Created from').fill(today);
    await page.getByLabel('Created until (inclusive)').fill(today);
    await page.getByRole('link', { name: flaky }).waitFor();
    expect(page.url()).toContain(`to=${today}`);

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Created until (inclusive)').fill(yesterday);
    await page.getByRole('alert').filter({ hasText: 'The date range ends before it starts.' }).waitFor();
    await context.close();
  });
});
