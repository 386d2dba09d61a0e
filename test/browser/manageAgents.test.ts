/**
 * Agents created and edited in a browser (issue 33): the next runs of the schedule are previewed
 * in the agent's timezone while it is typed (a bad one says why), the agent is saved, edited,
 * disabled and enabled, and deleted, each checked through the API; axe-core finds no serious or
 * critical violation on the list or the agent's page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../src/content/schemas.ts';
import { TONES } from '../../src/families/agents/schemas.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('agents managed in a browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const agentOf = async (id: string) => (await call(`${server.url}/agents/${id}`, { key: server.key })).body.data;

  it('creates an agent with its next runs previewed in its timezone, edits, disables, enables and deletes it', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/agents');
    await open(page, '#/agents', 'Agents');
    // The form offers the server's platforms and tones.
    const values = (selector: string) => page.locator(selector).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(await values('form input[name="platforms"]')).toEqual([...PLATFORMS]);
    expect(await values('form select[name="tone"] option')).toEqual([...TONES]);

    await page.getByLabel('Name', { exact: true }).fill('Weekday tips');
    await page.getByLabel('twitter', { exact: true }).check();
    await page.getByLabel('Timezone', { exact: true }).fill('Europe/Paris');
    await page.getByLabel('Schedule', { exact: true }).fill('0 25 * * *');
    await page.locator('.preview').getByText('not a valid cron expression').waitFor();
    await page.getByLabel('Schedule', { exact: true }).fill('0 9 * * 1-5');
    const runs = page.locator('.preview ol.next-runs li');
    await runs.nth(4).waitFor();
    // Each at 09:00 in Paris, on a weekday, whatever the browser's own zone (UTC here).
    for (const text of await runs.allInnerTexts()) expect(text).toMatch(/^(Mon|Tue|Wed|Thu|Fri).* 09:00 (CET|CEST)$/);
    await page.getByText('Next runs in Europe/Paris:').waitFor();
    expect(await seriousViolations(page), 'the agents page with a preview').toEqual([]);
    await screenshot(page, 'agent-new', { docs: true, fullPage: true });

    await page.getByLabel('Instructions', { exact: true }).fill('Tips on onboarding.');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { level: 1, name: 'Weekday tips' }).waitFor();
    const id = decodeURIComponent(page.url().split('#/agents/')[1]!);
    const created = await agentOf(id);
    expect(created).toMatchObject({ platforms: ['twitter', 'linkedin'], schedule: '0 9 * * 1-5', timezone: 'Europe/Paris', enabled: true });
    expect(local(created.nextRunAt, 'Europe/Paris')).toMatch(/ 09:00$/);
    expect(await seriousViolations(page), "an agent's page").toEqual([]);

    // Edit: another schedule and timezone, previewed before saving.
    await page.getByText('Edit agent').click();
    await page.getByLabel('Schedule', { exact: true }).fill('30 18 * * *');
    await page.getByLabel('Timezone', { exact: true }).fill('America/New_York');
    await page.getByText('Next runs in America/New_York:').waitFor();
    expect(await page.locator('.preview ol.next-runs li').first().innerText()).toMatch(/18:30 (EST|GMT-5)$/);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    expect(await agentOf(id)).toMatchObject({ schedule: '30 18 * * *', timezone: 'America/New_York' });

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect(await agentOf(id)).toMatchObject({ enabled: false, nextRunAt: null });
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    expect((await agentOf(id)).enabled).toBe(true);

    await page.getByRole('button', { name: 'Delete agent' }).click();
    await page.getByRole('button', { name: 'Yes, delete agent' }).click();
    await page.getByRole('heading', { level: 1, name: 'Agents' }).waitFor();
    expect((await call(`${server.url}/agents/${id}`, { key: server.key })).status).toBe(404);
    await context.close();
  });
});

/** Local wall-clock time in a timezone, e.g. "2027-03-28 09:00". */
function local(iso: string, timeZone: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZone }).slice(0, 16);
}
