/**
 * Knowledge bases, ideas and clip uploads in a browser (issue 33): a knowledge base is created,
 * a document uploaded with a progress bar and followed until indexed, then searched; an idea's
 * drafts show each post's length against its platform's limit, counted as the server counts;
 * a clip upload that fails half-way resumes, after a reload, with only the missing parts. axe-core finds no
 * serious or critical violation on each page.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rulesFor, type Mode, type Platform } from '../../src/content/platforms.ts';
import { makeSampleVideo } from '../helpers/media.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

const GUIDE = [
  '# Onboarding guide',
  '',
  'Onboarding emails work when each one asks for a single action and arrives right after the user needs it.',
  '',
  '## Activation',
  '',
  'Activation is the first moment a user gets value: measure it, and send nothing before it.',
].join('\n');

describe('knowledge bases, ideas and clip uploads in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  const media = tempDir('longrun-browser-content-');

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    server = await startTestServer({ credits: 1000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(media, { recursive: true, force: true });
  });

  it('creates a knowledge base, uploads a document with progress until indexed, searches it; drafts an idea from it', { timeout: 90_000 }, async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/kbs');
    await open(page, '#/kbs', 'Knowledge bases');
    expect(await seriousViolations(page), 'the knowledge bases page').toEqual([]);
    await page.getByLabel('Name', { exact: true }).fill('Product docs');
    await page.getByRole('button', { name: 'Create knowledge base' }).click();
    await page.getByRole('heading', { level: 1, name: 'Product docs' }).waitFor();

    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'guide.md', mimeType: 'text/markdown', buffer: Buffer.from(GUIDE) });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByText(`(100%)`).waitFor();
    const doc = page.getByRole('row').filter({ hasText: 'guide.md' });
    await doc.getByText('indexed', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page), 'a knowledge base page').toEqual([]);

    await page.getByLabel('Search passages').fill('activation');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText(/passages? found/).waitFor();
    await page.locator('.search-results li').filter({ hasText: 'Activation is the first moment' }).first().waitFor();
    await screenshot(page, 'knowledge-base', { fullPage: true });

    await open(page, '#/ideas', 'Ideas');
    expect(await seriousViolations(page), 'the ideas page').toEqual([]);
    await page.getByLabel('Title', { exact: true }).fill('Why onboarding emails fail');
    await page.getByLabel('twitter').check();
    await page.getByLabel('X mode').selectOption('thread');
    await page.getByLabel('Knowledge base').selectOption({ label: 'Product docs' });
    await page.getByRole('button', { name: 'Write drafts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Idea drafts' }).waitFor();
    await page.getByText('completed', { exact: true }).first().waitFor({ timeout: 30_000 });
    const jobId = decodeURIComponent(page.url().split('#/ideas/')[1]!);
    const { drafts } = (await call(`${server.url}/ideas/enrich/${jobId}/drafts`, { key: server.key })).body.data;
    expect(drafts.map((d: { platform: string; mode: string }) => `${d.platform} ${d.mode}`).sort()).toEqual(['linkedin standard', 'twitter thread']);
    // A thread: one length per post, each against X's 280.
    expect(drafts.find((d: { platform: string }) => d.platform === 'twitter').posts.length).toBeGreaterThan(1);
    for (const d of drafts as { platform: Platform; mode: Mode; posts: string[] }[]) {
      const rules = rulesFor(d.platform, d.mode);
      const shown = await page
        .getByRole('article', { name: `${d.platform} draft` })
        .locator('.length')
        .allInnerTexts();
      expect(shown).toEqual(d.posts.map((p) => `Length: ${rules.measure(p)} / ${rules.maxLength}`));
    }
    expect(await seriousViolations(page), 'an idea page').toEqual([]);
    await screenshot(page, 'idea-drafts', { fullPage: true });

    // The ideas job links to its drafts from the jobs list.
    await open(page, '#/jobs', 'Jobs');
    await page.getByRole('link', { name: 'The drafts' }).first().waitFor();
    await context.close();
  });

  it('uploads a clip in parts with a progress bar, and after a failure and a reload resumes with only the missing parts', { timeout: 90_000 }, async () => {
    const file = makeSampleVideo(media);
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(3 * 64 * 1024); // several parts of the minimum size
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/clips');
    await open(page, '#/clips', 'Clips');
    expect(await seriousViolations(page), 'the clips page').toEqual([]);

    // The second part fails once, as a dropped connection would.
    const sent: number[] = [];
    let failed = false;
    await page.route(/\/clips\/uploads\/[^/]+\/parts\/\d+$/, async (route) => {
      const n = Number(route.request().url().split('/').pop());
      if (n === 2 && !failed) {
        failed = true;
        return route.abort('connectionreset');
      }
      sent.push(n);
      return route.continue();
    });
    // A file from disk, as a user picks it: the same name, size and date after the reload.
    await page.getByLabel('Video file').setInputFiles(file);
    await page.getByLabel('Name', { exact: true }).fill('Launch talk');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /./ }).waitFor();
    expect(sent).toEqual([1]);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Clips' }).waitFor();
    await page.getByLabel('Video file').setInputFiles(file);
    await page.getByLabel('Name', { exact: true }).fill('Launch talk');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Launch talk' }).waitFor({ timeout: 30_000 });
    const parts = Math.ceil(size / Math.min(8 * 1024 * 1024, Math.max(64 * 1024, Math.ceil(size / 50 / 1024) * 1024)));
    expect(sent).toEqual(Array.from({ length: parts }, (_, i) => i + 1));
    const clips = (await call(`${server.url}/clips`, { key: server.key })).body.data.clips;
    expect(clips.map((c: { name: string; fileSize: number }) => [c.name, c.fileSize])).toEqual([['Launch talk', size]]);
    await context.close();
  });
});
