/**
 * A view refreshes as a job's events arrive, and its reads can be answered out of order: a read
 * sent while the job ran, answered after the cancel and the read that saw the job end, must not
 * draw the running job back (with its Cancel button, for good: nothing refreshes a finished job).
 *
 * The page's own network is held with Playwright's routing: the running job's answer is read from
 * the server at once and handed to the page only after the cancel has been drawn.
 */
import type { Browser, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { launchChromium, newPage, requireDashboardBuilt, signIn } from './browser.ts';

describe('dashboard: answers out of order', () => {
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

  it("draws a job's cancel, not a read of it running that was answered later", async () => {
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 20, ms: 300 } });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.data.jobId as string;
    await waitForJob(server.engine, server.store, id, (job) => job.status === 'running');

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/jobs/${id}`);
    await page.getByRole('heading', { level: 1, name: `Job ${id}` }).waitFor();

    // The next refresh of the job (sent 200 ms after an item's event) is read now and held.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held: (request: Request) => void;
    const heldRequest = new Promise<Request>((resolve) => (held = resolve));
    let holding = true;
    await page.route(
      (url) => url.pathname === `/jobs/${id}`,
      async (route: Route) => {
        if (route.request().method() !== 'GET' || !holding) return route.continue();
        holding = false;
        const running = await route.fetch();
        expect(((await running.json()) as { data: { status: string } }).data.status).toBe('running');
        held(route.request());
        await released;
        await route.fulfill({ response: running });
      },
    );
    const stale = await heldRequest;

    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByRole('alert').filter({ hasText: 'Job canceled' }).waitFor();
    await page.locator('.timeline li[data-type="job.canceled"]').waitFor();
    await page.locator('.facts').getByText('canceled', { exact: true }).waitFor();

    // Now the running job's answer arrives; the page has read it once the request finishes and
    // one more task has run.
    const finished = page.waitForEvent('requestfinished', (r) => r === stale);
    release();
    await finished;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(await page.locator('.facts .badge').innerText()).toBe('canceled');
    expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);
    await context.close();
  });
});
