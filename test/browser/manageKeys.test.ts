/**
 * The Keys page in a browser (issue 33): a `keys:write` key makes a key with scopes it holds
 * (those it does not are offered disabled), sees it once, revokes it after confirming, and is
 * told it cannot revoke itself; a key without `keys:write` is told what it needs. axe-core finds
 * no serious or critical violation on either. The pages with create forms fit a phone's width.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyCreate } from '../../src/auth/apiKeys.ts';
import { ALL_SCOPES } from '../../src/scopes.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, scrollsSideways, signIn } from './browser.ts';

describe('API keys in a browser', () => {
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

  it('makes a key shown once, lists it and revokes it after confirming', async () => {
    const admin = await apiKeyCreate(server.store.db, { orgId: server.org.id, name: 'admin', scopes: ['keys:write', 'kb:write', 'clips:read'] });
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, admin.key, '#/keys');
    await open(page, '#/keys', 'API keys');
    expect(await seriousViolations(page), 'the keys page').toEqual([]);

    // Scopes the key does not hold cannot be ticked.
    expect(await page.getByLabel('webhooks:write').isDisabled()).toBe(true);
    expect(await page.getByLabel('kb:read').isDisabled()).toBe(false);

    await page.getByLabel('Name').fill('ci');
    await page.getByLabel('kb:read').check();
    await page.getByLabel('clips:read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('Key ci', { exact: true });
    await shown.waitFor();
    const newKey = await shown.inputValue();
    expect(newKey).toMatch(/^lr_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    expect((await call(`${server.url}/kbs`, { key: newKey })).status).toBe(200);
    await page.getByRole('cell', { name: 'clips:read, kb:read' }).waitFor();
    expect(await seriousViolations(page), 'the keys page with a new key').toEqual([]);
    await screenshot(page, 'keys');

    // The key in use has no revoke button; the new one has, in two steps.
    expect(await page.getByRole('button', { name: 'Revoke admin' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke ci' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'Key ci revoked.' }).waitFor();
    expect((await call(`${server.url}/me`, { key: newKey })).status).toBe(401);
    await page.getByRole('cell', { name: /^revoked/ }).waitFor();
    await context.close();
  });

  it('tells a key without keys:write what it needs', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/keys');
    await open(page, '#/keys', 'API keys');
    await page.getByText('needs the keys:write scope').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await seriousViolations(page), 'the keys page without keys:write').toEqual([]);
    await context.close();
  });

  it('fits the pages with create forms into a phone, without serious accessibility violations', async () => {
    const every = await apiKeyCreate(server.store.db, { orgId: server.org.id, name: 'phone', scopes: [...ALL_SCOPES] });
    const { context, page } = await newPage(browser, { width: 390, height: 844 });
    await signIn(page, server.url, every.key, '#/keys');
    for (const [hash, heading] of [
      ['#/keys', 'API keys'],
      ['#/webhooks', 'Webhooks'],
      ['#/agents', 'Agents'],
      ['#/kbs', 'Knowledge bases'],
      ['#/ideas', 'Ideas'],
      ['#/clips', 'Clips'],
    ]) {
      await open(page, hash!, heading!);
      expect(await scrollsSideways(page), `${hash} scrolls sideways at 390 px`).toBe(false);
      expect(await seriousViolations(page), `${hash} at 390 px`).toEqual([]);
    }
    await context.close();
  });
});
