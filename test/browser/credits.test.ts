/**
 * The credits page (issue 33, point 4): the balance over time as a chart (with its table), and
 * the ledger grouped by job, each job opening onto its own entries. Passes axe-core with no
 * serious or critical violation, and fits a phone screen.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, scrollsSideways, signIn } from './browser.ts';

describe('dashboard: credits', () => {
  let server: TestServer;
  let browser: Browser;
  const jobs: string[] = [];

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 100 });
    for (const body of [
      { items: 3, ms: 0 },
      { items: 2, ms: 0, fail: ['item-2'] },
    ]) {
      const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: body });
      expect(submitted.status, submitted.text).toBe(202);
      jobs.push(submitted.body.data.jobId);
      await waitForJob(server.engine, server.store, submitted.body.data.jobId);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('charts the balance and groups the ledger by job, each opening onto its entries', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/credits');
    await page.getByRole('heading', { level: 1, name: 'Credits' }).waitFor();
    await page.locator('.balance').getByText('96', { exact: true }).waitFor();

    const chart = page.getByRole('img', { name: /Balance, last week/ });
    await chart.waitFor();
    expect(await page.locator('#chart-balance-desc').textContent()).toBe('Available credits went from 0 to 96: 100 granted and 4 spent in this period.');
    expect(await page.locator('#chart-balance path.chart-line').count()).toBe(2);

    // One row per job (newest first) and one for the grant, not one per item.
    const ledger = page.getByRole('table', { name: 'Credit ledger' });
    const rows = ledger.locator('> tbody > tr:not(.ledger-detail)');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).locator('td').allInnerTexts()).toEqual([expect.any(String), jobs[1], '2', '1 (1 item)', '1', '−1', 'Entries']);
    expect(await rows.nth(1).locator('td').allInnerTexts()).toEqual([expect.any(String), jobs[0], '3', '3 (3 items)', '0', '−3', 'Entries']);
    await rows.nth(2).getByText('grant').waitFor();

    const toggle = page.getByRole('button', { name: `Entries of ${jobs[0]}` });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const entries = page.getByRole('table', { name: `Entries of ${jobs[0]}` });
    await entries.getByText('item-3').waitFor();
    expect(await entries.locator('tbody tr').count()).toBe(4);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'credits', { docs: true, fullPage: true });
    await toggle.click();
    expect(await entries.isVisible()).toBe(false);

    await page.getByRole('radio', { name: 'Last month' }).check();
    await page.getByRole('img', { name: /Balance, last month/ }).waitFor();
    expect(page.url()).toContain('window=month');
    expect(await page.locator('#chart-balance table tbody tr').count()).toBe(30);
    await context.close();
  });

  it('fits a phone screen, a job’s entries open', async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, server.url, server.key);
    await open(page, '#/credits', 'Credits');
    await page.getByRole('button', { name: `Entries of ${jobs[1]}` }).click();
    await page
      .getByRole('table', { name: `Entries of ${jobs[1]}` })
      .getByText('item-1')
      .waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });
});
