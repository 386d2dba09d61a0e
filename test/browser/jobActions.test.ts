/**
 * Cancel and rerun from the dashboard (issue 33, point 3, with issue 32's API): a finished job's
 * page reruns its failed and canceled items and links to the new job, whose results are seen;
 * on the jobs list, rows selected one by one or a page at a time are canceled (after a
 * confirmation) or rerun, each job's outcome listed as the API reports it, a kind that cannot be
 * rerun saying so. Each organisation is new, so its list holds only the jobs made here. The
 * pages pass axe-core with no serious or critical violation. A cancel stays drawn when a read of
 * the job sent while it ran is answered after it (the page's network held with Playwright's
 * routing): the running job, with its Cancel button, is not drawn back.
 */
import type { Browser, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeBaseWith } from '../helpers/knowledge.ts';
import { waitForJob } from '../helpers/testEngine.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('dashboard: cancel and rerun jobs, one or many', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 100 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A demo job run to its end; the items named in `fail` fail. */
  async function finished(key: string, fail: string[], items = 3): Promise<string> {
    const answer = await call(`${server.url}/demo/sleep`, { key, json: { items, ms: 0, fail }, headers: { prefer: 'wait=25' } });
    expect(answer.status, answer.text).toBe(200);
    return answer.body.data.id as string;
  }

  /** A demo job that runs for two minutes unless canceled. */
  async function slow(key: string): Promise<string> {
    const answer = await call(`${server.url}/demo/sleep`, { key, json: { items: 4, ms: 30_000 } });
    expect(answer.status, answer.text).toBe(202);
    return answer.body.data.jobId as string;
  }

  const outcomeOf = (page: Page, id: string) => page.locator(`.bulk-results li[data-job="${id}"]`);

  it("reruns a finished job's failed and canceled items from its page and opens the new job", async () => {
    const { key } = await server.newOrg('rerun-one', { credits: 50 });
    // Canceled before any worker took it: all three items canceled, none failed for good.
    await server.engine.stop();
    let original: string;
    try {
      original = (await call(`${server.url}/demo/sleep`, { key, json: { items: 3, ms: 0 } })).body.data.jobId;
      expect((await call(`${server.url}/jobs/${original}/cancel`, { key, method: 'POST' })).body.data.status).toBe('canceled');
    } finally {
      server.engine.start();
    }
    const fine = await finished(key, []);

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, key, `#/jobs/${fine}`);
    await page.getByRole('heading', { level: 1, name: `Job ${fine}` }).waitFor();
    expect(await page.getByRole('button', { name: 'Rerun failed items' }).count()).toBe(0);

    await open(page, `#/jobs/${original}`, `Job ${original}`);
    const rerun = page.getByRole('button', { name: 'Rerun failed items' });
    await rerun.waitFor();
    expect(await page.locator('#rerun-hint').innerText()).toBe('Runs the 3 canceled items again as a new job, charging for those only.');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'job-rerun-canceled');

    await rerun.click();
    const opener = page.getByRole('link', { name: /^Open job / });
    await opener.waitFor();
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByRole('alert').innerText()).toContain('Rerun queued: 3 items run again as a new job.');
    const next = (await opener.innerText()).replace('Open job ', '');
    expect(next).not.toBe(original);

    await opener.click();
    await page.getByRole('heading', { level: 1, name: `Job ${next}` }).waitFor();
    await page.locator('.facts').getByText('completed', { exact: true }).waitFor();
    for (const item of ['item-1', 'item-2', 'item-3']) {
      const row = page.locator('.items li.item', { hasText: item });
      await row.getByText('succeeded', { exact: true }).waitFor();
      await row.locator('details.json').waitFor();
    }
    expect(await page.getByRole('button', { name: 'Rerun failed items' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    const job = (await call(`${server.url}/jobs/${next}`, { key })).body.data;
    expect(job).toMatchObject({ status: 'completed', counts: { succeeded: 3, failed: 0 } });
    await context.close();
  });

  it('cancels the selected jobs after a confirmation, saying per job what happened, and refreshes the list', async () => {
    const { key } = await server.newOrg('cancel-many', { credits: 50 });
    const done = await finished(key, []);
    const running = [await slow(key), await slow(key)];
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, key, '#/jobs');
    for (const id of [done, ...running]) await page.getByRole('link', { name: id }).waitFor();
    const cancel = page.getByRole('button', { name: 'Cancel selected' });
    expect(await cancel.isDisabled()).toBe(true);

    for (const id of [done, ...running]) await page.getByLabel(`Select ${id}`).check();
    await page.getByText('3 selected').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await cancel.click();
    // Nothing happens before the confirmation; "Keep" would leave everything as it was.
    await page.getByRole('group', { name: /^Cancel the selected jobs\?/ }).waitFor();
    await page.getByRole('button', { name: 'Yes, cancel selected' }).click();

    await page.getByRole('heading', { name: 'Cancel selected: 3 jobs' }).waitFor();
    await screenshot(page, 'jobs-canceled');
    for (const id of running) expect(await outcomeOf(page, id).innerText()).toBe(`${id}: canceled`);
    expect(await outcomeOf(page, done).innerText()).toBe(`${done}: not canceled: already completed`);
    // Focus on the outcome; the selection is cleared and the list shows the jobs canceled.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('bulk-outcome'))).toBe(true);
    await page.getByText('No job selected').waitFor();
    for (const id of running) {
      await page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: id }) })
        .getByText('canceled', { exact: true })
        .waitFor();
      expect((await call(`${server.url}/jobs/${id}`, { key })).body.data.status).toBe('canceled');
    }
    expect(await page.getByLabel(`Select ${running[0]}`).isChecked()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('reruns a page of jobs selected at once, and says which kind cannot be rerun', async () => {
    const { key } = await server.newOrg('rerun-many', { credits: 50 });
    const failed = await finished(key, ['item-2']);
    const fine = await finished(key, []);
    await knowledgeBaseWith(server, key, '# Notes\n\nOnboarding emails ask for one action each.', 'notes://rerun-many');
    const { context, page } = await newPage(browser);
    // The README's picture of a job that can be rerun: one item of three failed.
    await signIn(page, server.url, key, `#/jobs/${failed}`);
    await page.getByRole('heading', { level: 1, name: `Job ${failed}` }).waitFor();
    await page.getByRole('button', { name: 'Rerun failed items' }).waitFor();
    await page.locator('.items li.item', { hasText: 'item-2' }).getByText('DEMO_FAILURE').waitFor();
    await screenshot(page, 'job-rerun', { docs: true });

    await open(page, '#/jobs', 'Jobs');
    for (const id of [failed, fine]) await page.getByRole('link', { name: id }).waitFor();

    await page.getByLabel('Select all on this page').check();
    await page.getByText('2 selected').waitFor();
    expect(await page.getByLabel(`Select ${failed}`).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Rerun selected' }).click();
    await page.getByRole('heading', { name: 'Rerun selected: 2 jobs' }).waitFor();
    expect(await outcomeOf(page, fine).innerText()).toBe(`${fine}: nothing to rerun: no failed or canceled items`);
    const rerunText = await outcomeOf(page, failed).innerText();
    expect(rerunText).toMatch(new RegExp(`^${failed}: rerun as job_`));
    const next = rerunText.split('rerun as ')[1]!;
    // The list refreshes with the new job; its page shows the item run again.
    await page.getByRole('link', { name: next, exact: true }).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await outcomeOf(page, failed).getByRole('link', { name: next }).click();
    await page.getByRole('heading', { level: 1, name: `Job ${next}` }).waitFor();
    await page.locator('.items li.item', { hasText: 'item-2' }).waitFor();
    expect(await page.locator('.items li.item').count()).toBe(1);

    // Document ingestion cannot be rerun: the outcome says so for that job.
    await open(page, '#/jobs?kind=kb.ingest', 'Jobs');
    const ingest = (await call(`${server.url}/jobs?kind=kb.ingest`, { key })).body.data.jobs[0].id as string;
    expect((await call(`${server.url}/jobs/${ingest}?wait=25`, { key })).body.data.status).toBe('completed');
    await page.getByLabel(`Select ${ingest}`).check();
    await page.getByRole('button', { name: 'Rerun selected' }).click();
    await page.getByRole('heading', { name: 'Rerun selected: 1 job' }).waitFor();
    expect(await outcomeOf(page, ingest).innerText()).toBe(`${ingest}: not rerun: kb.ingest jobs cannot be rerun`);
    await context.close();
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
