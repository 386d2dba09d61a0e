/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * server: sign in with a key, start an enrichment run from a sourcing run's candidates and watch
 * it complete without reloading, open a result, cancel a running job, follow an agent's runs,
 * and fit a phone screen, every page with no serious or critical axe-core violation. Waits are
 * Playwright's (an element appearing), never sleeps.
 *
 * One backend is enough: the page talks HTTP, and the API under it is tested on both.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendPool, backendRole, importProfiles, sourcingRun } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { apiKeyList, apiKeyRevokeIfActive } from '../../src/store/apiKeys.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, scrollsSideways, signIn } from './browser.ts';

describe('dashboard in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  /** Made by the tests below and looked at again at phone width. */
  const made: { enrichment?: string; sleep?: string; agent?: string } = {};

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' }, credits: 500 });
    await importProfiles(server.url, server.key, backendPool);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in with the keyboard alone, refuses a wrong key, and moves focus to each new page', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(`${server.url}/dashboard`);
    // The key field has focus from the start; Enter submits.
    await page.keyboard.type('lr_wrong_key');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();

    await page.getByLabel('API key').fill(server.key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('longrun.apiKey'))).toBe(server.key);

    // Focus is on the page's heading; Shift+Tab goes back past "Sign out" to the navigation,
    // and Enter on "Credits" opens it with focus on its heading.
    const credits = page.getByRole('link', { name: 'Credits' });
    for (let i = 0; i < 12 && !(await credits.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { level: 1, name: 'Credits' });
    await heading.waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await page.getByText('Reserved for work in progress').isVisible()).toBe(true);
    expect(await credits.getAttribute('aria-current')).toBe('page');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('longrun.apiKey'))).toBeNull();
    await context.close();
  });

  it('forgets a key revoked while signed in, at its next call, and asks for a key again', async () => {
    const { org, key } = await server.newOrg('revoked-while-signed-in');
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, key, '#/credits');
    await page.getByRole('heading', { level: 1, name: 'Credits' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('longrun.apiKey'))).toBe(key);

    const [row] = await apiKeyList(server.store.db, org.id);
    expect(await apiKeyRevokeIfActive(server.store.db, row!.id, new Date().toISOString())).toBe(true);
    await page.evaluate(() => (location.hash = '#/jobs'));
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('longrun.apiKey'))).toBeNull();
    await context.close();
  });

  it('starts an enrichment run from ranked candidates, watches it complete live, and opens a result', async () => {
    const sourcing = await sourcingRun(server.url, server.key, { ...backendRole, limit: 10 });
    expect(sourcing.body.candidates.length).toBeGreaterThanOrEqual(3);
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/sourcing/${sourcing.body.requestId}`);
    await page.getByRole('heading', { level: 1, name: /Sourcing run: Senior Backend Engineer/ }).waitFor();

    // Candidates are ranked with score bars; the best first.
    const best = sourcing.body.candidates[0];
    const first = page.locator('.candidates > li').first();
    await first.getByText(best.name, { exact: true }).waitFor();
    expect(await first.locator('.score-number').innerText()).toContain(String(best.matchScore));

    // Workers paused, so the run is seen processing before it completes on this same page.
    await server.engine.stop();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    for (const candidate of sourcing.body.candidates.slice(0, 3)) {
      await page.getByLabel(`Select ${candidate.name} for enrichment`).check();
    }
    await page.getByRole('button', { name: 'Enrich selected (3)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Enrichment run' }).waitFor();
    await page.locator('.run-status').getByText('queued').waitFor();
    made.enrichment = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    expect(made.enrichment).toMatch(/^enr_/);

    server.engine.start();
    await page.locator('.run-status').getByText('completed').waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await page.getByText('Candidates, best first').waitFor();

    // Open the top result: its fit points and red flags are there.
    const top = page.locator('details.candidate').first();
    await top.locator('summary').click();
    await top.getByRole('heading', { name: 'Fit points' }).waitFor();
    await top.getByRole('heading', { name: 'Red flags' }).waitFor();
    expect(await top.locator('.fit-points li').count()).toBeGreaterThan(0);
    expect(await top.getAttribute('open')).not.toBeNull();
    await screenshot(page, 'enrichment-results', { docs: true, fullPage: true });

    const results = await call(`${server.url}/sourcing/enrich/${made.enrichment}/results`, { key: server.key });
    expect(results.body).toMatchObject({ status: 'completed', enrichedCount: 3, creditsConsumed: 3 });
    await context.close();
  });

  it('shows a running job live and cancels it from its detail page', async () => {
    const submitted = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 20, ms: 300 } });
    expect(submitted.status, submitted.text).toBe(202);
    made.sleep = submitted.body.data.jobId as string;
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/jobs/${made.sleep}`);
    await page.getByRole('heading', { level: 1, name: `Job ${made.sleep}` }).waitFor();

    // Items finish one after another; the timeline and the progress bar follow them live.
    await page.locator('.timeline li[data-type="item.succeeded"]').nth(1).waitFor();
    await page.getByText(/[1-9]\d* of 20 items done/).waitFor();
    await screenshot(page, 'job-detail', { docs: true });

    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page.getByRole('alert').filter({ hasText: 'Job canceled' }).waitFor();
    await page.locator('.facts').getByText('canceled', { exact: true }).waitFor();
    await page.locator('.timeline li[data-type="job.canceled"]').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel job' }).count()).toBe(0);

    const job = await call(`${server.url}/jobs/${made.sleep}`, { key: server.key });
    expect(job.body.data.status).toBe('canceled');
    await context.close();
  });

  it("shows an agent's runs and posts, and the jobs list filtered by kind", async () => {
    const agent = await call(`${server.url}/agents`, {
      key: server.key,
      json: {
        name: 'Onboarding tips',
        platforms: ['linkedin', 'twitter'],
        postsPerRun: 2,
        instructions: 'Onboarding decides retention. Short feedback loops beat long plans. Measure what users finish, not what they start.',
        tone: 'educational',
      },
    });
    expect(agent.status, agent.text).toBe(201);
    made.agent = agent.body.data.id as string;
    const run = await call(`${server.url}/agents/${made.agent}/run`, { key: server.key, method: 'POST' });
    expect(run.status, run.text).toBe(202);

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/agents/${made.agent}`);
    await page.getByRole('heading', { level: 1, name: 'Onboarding tips' }).waitFor();
    // Queued or running when the page opened, or already done: either way it ends completed here.
    await page.locator('section[aria-labelledby="agent-runs"]').getByText('completed', { exact: true }).waitFor();
    await page.locator('article.post').nth(1).waitFor();
    await screenshot(page, 'agent', { docs: true });

    await open(page, '#/jobs', 'Jobs');
    await page
      .getByRole('link', { name: made.sleep ?? 'job_' })
      .first()
      .waitFor();
    await screenshot(page, 'jobs-list', { docs: true });
    await page.getByLabel('Kind').selectOption('enrichment');
    await page.locator('tbody tr').first().getByText('enrichment', { exact: true }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('tbody tr')].every((tr) => tr.textContent?.includes('enrichment')));
    expect(page.url()).toContain('kind=enrichment');
    await context.close();
  });

  it('fits a phone screen (390×844) without sideways scrolling, every page without a serious axe-core violation', async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, server.url, server.key);
    const pages: [string, string | RegExp][] = [
      ['#/overview', 'Overview'],
      ['#/jobs', 'Jobs'],
      ['#/sourcing', 'Sourcing'],
      ['#/credits', 'Credits'],
      ['#/webhooks', 'Webhooks'],
      ['#/clips', 'Clips'],
      ['#/agents', 'Agents'],
    ];
    if (made.sleep) pages.push([`#/jobs/${made.sleep}`, `Job ${made.sleep}`]);
    if (made.agent) pages.push([`#/agents/${made.agent}`, 'Onboarding tips']);
    for (const [hash, heading] of pages) {
      await open(page, hash, heading);
      expect(await scrollsSideways(page), `${hash} scrolls sideways at 390 px`).toBe(false);
      expect(await seriousViolations(page), `${hash}: axe-core`).toEqual([]);
    }
    if (made.enrichment) {
      await open(page, `#/enrich/${made.enrichment}`, 'Enrichment run');
      await page.locator('details.candidate summary').first().click();
      await page.getByRole('heading', { name: 'Fit points' }).first().waitFor();
      expect(await scrollsSideways(page), 'an open candidate scrolls sideways at 390 px').toBe(false);
      await screenshot(page, 'phone-enrichment', { docs: true });
    }
    await open(page, '#/jobs', 'Jobs');
    await screenshot(page, 'phone-jobs');
    await context.close();
  });
});
