/**
 * A job that completed with failed items does not look like a success on the dashboard: its
 * badge says how many failed (in the failure colour when none succeeded), and its progress bar
 * shows the failed share in the failure colour, not a full bar of success; a canceled job's
 * unfinished items show as canceled, in the bar and in the item list.
 *
 * One backend is enough: the page talks HTTP, and the API under it is tested on both.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('dashboard: how a job ended', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 50 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function finishedJob(body: Record<string, unknown>): Promise<string> {
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: body });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.data.jobId as string;
    await waitForJob(server.engine, server.store, id);
    return id;
  }

  /**
   * The bar's parts by kind, each with its share of the width in whole percent. Found and measured
   * in one evaluation: the view redraws its summary as the job's events arrive, and a part found
   * before a redraw and measured after it is detached, 0 wide in a 0-wide bar.
   */
  const barParts = (page: Page, scope: string) =>
    page.evaluate(
      (selector) =>
        [...document.querySelectorAll<HTMLElement>(selector)].map((p) => [
          p.className.replace('bar-part bar-', ''),
          Math.round((p.getBoundingClientRect().width / p.parentElement!.getBoundingClientRect().width) * 100),
        ]),
      `${scope} [role="progressbar"] .bar-part`,
    );

  it('shows a job whose every item failed as failed items, in its badge and its bar', async () => {
    const allFailed = await finishedJob({ items: 1, ms: 1, fail: ['item-1'] });
    const someFailed = await finishedJob({ items: 4, ms: 1, fail: ['item-2'] });
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/jobs/${allFailed}`);
    await page.getByRole('heading', { level: 1, name: `Job ${allFailed}` }).waitFor();

    const badge = page.locator('.facts .badge');
    expect(await badge.innerText()).toBe('completed, 1 failed');
    expect(await badge.getAttribute('class')).toContain('status-failed');
    const bar = page.getByRole('progressbar', { name: 'Progress' });
    expect(await bar.getAttribute('aria-valuetext')).toBe('1 of 1 items done, 1 failed');
    expect(await barParts(page, 'section')).toEqual([['failed', 100]]);
    await page.locator('.timeline li[data-type="job.completed"]').getByText('Completed (0 of 1 succeeded, 1 failed)').waitFor();

    // Some succeeded: the warning colour, and the bar in its two parts.
    await open(page, `#/jobs/${someFailed}`, `Job ${someFailed}`);
    expect(await page.locator('.facts .badge').innerText()).toBe('completed, 1 failed');
    expect(await page.locator('.facts .badge').getAttribute('class')).toContain('status-partial');
    expect(await barParts(page, 'section')).toEqual([
      ['succeeded', 75],
      ['failed', 25],
    ]);
    await screenshot(page, 'job-some-items-failed');

    // The list says the same, row by row; a job with no failure stays a plain "completed".
    const clean = await finishedJob({ items: 1, ms: 1 });
    await open(page, '#/jobs', 'Jobs');
    const row = (id: string) => page.locator('tbody tr', { has: page.locator(`[data-key="job-${id}"]`) });
    await row(clean).waitFor();
    expect(await row(allFailed).locator('.badge').innerText()).toBe('completed, 1 failed');
    expect(await row(clean).locator('.badge').innerText()).toBe('completed');
    expect(await row(clean).locator('.badge').getAttribute('class')).toContain('status-completed');
    await screenshot(page, 'jobs-list-outcomes');
    await context.close();
  });

  it('shows the unfinished items of a canceled job as canceled', async () => {
    // item-1 hangs (its budget is its 30 s and a little): the cancel comes first.
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 3, ms: 30_000, hang: ['item-1'] } });
    const id = submitted.body.data.jobId as string;
    await waitForJob(server.engine, server.store, id, (job) => job.status === 'running');
    expect((await call(`${server.url}/jobs/${id}/cancel`, { key: server.key, method: 'POST' })).status).toBe(200);

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/jobs/${id}`);
    await page.getByRole('heading', { level: 1, name: `Job ${id}` }).waitFor();
    await page.locator('.items .badge').first().waitFor();
    expect(await page.locator('.items .badge').allInnerTexts()).toEqual(['canceled', 'canceled', 'canceled']);
    expect(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuetext')).toBe('0 of 3 items done, 3 canceled');
    expect(await barParts(page, 'section')).toEqual([['canceled', 100]]);
    await page.locator('.timeline li[data-type="job.canceled"]').getByText('Canceled (0 of 3 succeeded, 3 canceled)').waitFor();
    await context.close();
  });
});
