/**
 * Managing webhook endpoints in a browser (issue 33): create one (its signing secret shown once),
 * edit its URL and events, disable and enable it, rotate its secret (the new one shown once) and
 * delete it, each checked through the API; axe-core finds no serious or critical violation on
 * the list or the endpoint's page. Retrying a delivery from the log: resources.test.ts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_EVENTS, EVENT_TYPES } from '../../src/families/webhooks/schemas.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('webhook endpoints managed in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let receiver: Receiver;

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    receiver = await startReceiver();
    receiver.respond = () => ({ status: 200, body: 'ok' });
    server = await startTestServer({ env: { LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1' } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
  });

  const endpoint = async (id: string) => (await call(`${server.url}/webhooks/${id}`, { key: server.key })).body.data;

  it('creates, edits, disables and enables, rotates and deletes an endpoint', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/webhooks');
    await open(page, '#/webhooks', 'Webhooks');
    expect(await seriousViolations(page), 'the webhooks page').toEqual([]);
    // The form offers the server's event types, no more and no fewer.
    const offered = await page.locator('form input[name="events"]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).value));
    expect(offered).toEqual([ALL_EVENTS, ...EVENT_TYPES]);

    await page.getByLabel('Name').fill('Receiver');
    await page.getByLabel('URL').fill(`${receiver.url}/hooks`);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = await page.getByLabel('Signing secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('link', { name: 'Receiver' }).first().waitFor();
    const listed = (await call(`${server.url}/webhooks`, { key: server.key })).body.data.webhooks;
    expect(listed).toHaveLength(1);
    const id: string = listed[0].id;
    expect(listed[0]).toMatchObject({ name: 'Receiver', url: `${receiver.url}/hooks`, events: ['*'], enabled: true });

    await page.getByRole('link', { name: 'Open Receiver' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    expect(await seriousViolations(page), "an endpoint's page").toEqual([]);

    // Edit: another URL, two events instead of all.
    await page.getByLabel('URL').fill(`${receiver.url}/other`);
    await page.getByLabel('All events (*)').uncheck();
    await page.getByLabel('clip.render.completed').check();
    await page.getByLabel('clip.render.failed').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    expect(await endpoint(id)).toMatchObject({ url: `${receiver.url}/other`, events: ['clip.render.completed', 'clip.render.failed'] });

    // No event at all is refused on the page, before any request.
    await page.getByLabel('clip.render.completed').uncheck();
    await page.getByLabel('clip.render.failed').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose at least one event' }).waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect((await endpoint(id)).enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('button', { name: 'Disable' }).waitFor();
    expect((await endpoint(id)).enabled).toBe(true);

    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Yes, rotate secret' }).click();
    const rotated = page.getByLabel('Signing secret', { exact: true });
    await rotated.waitFor();
    expect(await rotated.inputValue()).toMatch(/^whsec_/);
    expect(await rotated.inputValue()).not.toBe(secret);
    expect((await endpoint(id)).secretRotationEndsAt).toEqual(expect.any(String));
    expect(await seriousViolations(page), "an endpoint's page after a rotation").toEqual([]);
    await screenshot(page, 'webhook-manage', { docs: true, fullPage: true });

    await page.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByRole('button', { name: 'Yes, delete endpoint' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    expect((await call(`${server.url}/webhooks/${id}`, { key: server.key })).status).toBe(404);
    await context.close();
  });
});
