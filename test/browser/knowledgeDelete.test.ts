/**
 * Deleting from the knowledge-base page (issue 33, point 2): a document, then the knowledge base
 * itself, each after a confirmation; what is deleted is gone from the page and from the API,
 * and what is kept still answers a search. axe-core finds no serious or critical violation.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentWhenIngested } from '../helpers/knowledge.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, requireDashboardBuilt, screenshot, scrollsSideways, signIn } from './browser.ts';

describe('knowledge bases: deleting a document and a knowledge base in a browser', () => {
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

  async function upload(kbId: string, title: string, text: string): Promise<string> {
    const response = await fetch(`${server.url}/kbs/${kbId}/docs?title=${encodeURIComponent(title)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.key}`, 'content-type': 'text/markdown' },
      body: text,
    });
    const id = (await response.json()).data.id as string;
    expect((await documentWhenIngested(server.url, server.key, kbId, id)).status).toBe('indexed');
    return id;
  }

  it('deletes a document after confirming, then the knowledge base, and lands on the list', async () => {
    const kb = (await call(`${server.url}/kbs`, { key: server.key, json: { name: 'Support notes', description: 'What the support team learnt' } })).body.data;
    const kept = await upload(kb.id, 'Refund policy', '# Refunds\n\nRefunds within thirty days need no reason.');
    const gone = await upload(kb.id, 'Old pricing', '# Pricing\n\nThe legacy plan cost nine dollars a month.');

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, `#/kbs/${kb.id}`);
    await page.getByRole('heading', { level: 1, name: 'Support notes' }).waitFor();
    await page.getByRole('heading', { name: 'Documents (2)' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'kb-documents', { docs: true, fullPage: true });
    // At phone width the documents, with their delete buttons, stack without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });

    // "Keep" leaves it; "Yes, delete" deletes it.
    await page.getByRole('button', { name: 'Delete Old pricing' }).click();
    await page.getByRole('group', { name: 'Delete Old pricing and its passages?' }).waitFor();
    await page.getByRole('button', { name: 'Keep' }).click();
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${gone}`, { key: server.key })).status).toBe(200);
    await page.getByRole('button', { name: 'Delete Old pricing' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('status').filter({ hasText: 'Old pricing deleted.' }).waitFor();
    await page.getByRole('heading', { name: 'Documents (1)' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Old pricing' }).count()).toBe(0);
    await page.getByRole('row').filter({ hasText: 'Refund policy' }).waitFor();
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${gone}`, { key: server.key })).status).toBe(404);
    expect((await call(`${server.url}/kbs/${kb.id}/docs/${kept}`, { key: server.key })).status).toBe(200);

    // A search finds what is kept, not what is deleted.
    await page.getByLabel('Search passages').fill('refunds legacy');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('1 passage found.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Delete knowledge base' }).click();
    await page.getByRole('button', { name: 'Yes, delete knowledge base' }).click();
    await page.getByRole('heading', { level: 1, name: 'Knowledge bases' }).waitFor();
    expect(await page.getByRole('link', { name: 'Support notes' }).count()).toBe(0);
    expect((await call(`${server.url}/kbs/${kb.id}`, { key: server.key })).status).toBe(404);
    await context.close();
  });
});
