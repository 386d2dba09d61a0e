/**
 * The dashboard's clip and webhook views in a real browser: a clip's candidate segments on the
 * timeline, a render started from the page, labelled with its segment and template, showing its
 * poster frame and progress while it waits, that plays through its signed URL once it is done
 * (followed live), and a webhook delivery retried from the delivery log.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipWhenAnalysed, makeSampleVideo, uploadClip } from '../helpers/media.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { call, startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';
import { seriousViolations } from './axe.ts';
import { launchChromium, newPage, open, requireDashboardBuilt, screenshot, signIn } from './browser.ts';

describe('clips and webhooks in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let receiver: Receiver;
  const media = tempDir('longrun-browser-media-');

  beforeAll(async () => {
    requireDashboardBuilt();
    browser = await launchChromium();
    receiver = await startReceiver();
    receiver.respond = () => ({ status: 200, body: 'ok' });
    server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_WEBHOOK_ALLOW_HTTP: '1', LONGRUN_WEBHOOK_ALLOW_PRIVATE: '1' }, credits: 100 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver?.close();
    fs.rmSync(media, { recursive: true, force: true });
  });

  it('plays the source, shows candidate segments on a timeline, renders one from the page and plays it', { timeout: 90_000 }, async () => {
    const uploaded = await uploadClip(server.url, server.key, makeSampleVideo(media), 'Launch talk');
    expect(uploaded.status, uploaded.text).toBe(201);
    const clip = await clipWhenAnalysed(server.url, server.key, uploaded.body.data.id);
    expect(clip.status).toBe('ready');
    expect(clip.candidates.length).toBeGreaterThan(0);

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/clips');
    await page.getByRole('link', { name: 'Launch talk' }).click();
    await page.getByRole('heading', { level: 1, name: 'Launch talk' }).waitFor();

    // The source plays through its signed URL (a <video> cannot send the key).
    const source = page.getByLabel('Source video of Launch talk');
    expect(await source.getAttribute('src')).toMatch(new RegExp(`/clips/${clip.id}/source\\?expires=\\d+&signature=`));
    await page.waitForFunction(() => ((document.querySelector('video.source-player') as HTMLVideoElement | null)?.readyState ?? 0) >= 1);

    // Each segment is a button on the timeline; choosing one selects it in the render form.
    const segments = page.getByRole('group', { name: /Candidate segments/ }).getByRole('button');
    expect(await segments.count()).toBe(clip.candidates.length);
    await segments.last().click();
    const chosen = clip.candidates[clip.candidates.length - 1];
    expect(await page.getByLabel('Segment', { exact: true }).inputValue()).toBe(chosen.id);

    // Workers paused: the render waits, labelled, with its poster frame and its progress.
    await server.engine.stop();
    await page.getByRole('button', { name: 'Render' }).click();
    const render = page.locator('.renders li').first();
    await render.getByRole('heading', { name: `“${chosen.title}”, default template` }).waitFor();
    const poster = render.getByLabel(/^Poster frame of “/);
    expect(await poster.getAttribute('src')).toMatch(
      new RegExp(`/clips/${clip.id}/source\\?expires=\\d+&signature=.*#t=${(chosen.startMs / 1000).toFixed(2)}$`),
    );
    expect(await render.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('0 of 1 items done');
    expect(await seriousViolations(page)).toEqual([]);
    server.engine.start();
    await render.getByText('completed', { exact: true }).waitFor({ timeout: 25_000 });
    expect(await render.getByRole('progressbar').count()).toBe(0);
    // The video loads through the render's signed URL (no key), within the page's security policy.
    await page.waitForFunction(() => ((document.querySelector('.renders video') as HTMLVideoElement | null)?.readyState ?? 0) >= 1);
    const src = await render.locator('video').getAttribute('src');
    expect(src).toMatch(/\/renders\/job_[0-9A-Z]{26}\.mp4\?.*signature=/);
    await screenshot(page, 'clip');

    // The render's own job page names its segment and template.
    await render.getByRole('link', { name: /^job_/ }).click();
    await page.locator('.facts').getByText(`“${chosen.title}”`, { exact: false }).waitFor();
    await context.close();
  });

  it('lists an endpoint’s deliveries and sends one again with the retry button', async () => {
    const endpoint = await call(`${server.url}/webhooks`, { key: server.key, json: { url: `${receiver.url}/hooks`, events: ['*'], name: 'Receiver' } });
    expect(endpoint.status, endpoint.text).toBe(201);
    const job = await call(`${server.url}/demo/sleep`, { key: server.key, json: { items: 1, ms: 0 } });
    await receiver.next('/hooks');
    // The delivery job records the answer after sending it: wait for that job to end.
    const senders = await call(`${server.url}/jobs?kind=webhook`, { key: server.key });
    for (const sender of senders.body.data.jobs) await call(`${server.url}/jobs/${sender.id}?wait=10`, { key: server.key });

    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/webhooks');
    await page.getByRole('link', { name: 'Receiver' }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    const delivery = page.locator('li.delivery').first();
    await delivery.getByText('succeeded', { exact: true }).waitFor();
    await delivery.getByText('demo.sleep.completed', { exact: true }).waitFor();
    await screenshot(page, 'webhook');

    receiver.drain();
    await delivery.getByRole('button', { name: /^Retry msg_/ }).click();
    const again = await receiver.next('/hooks');
    expect(JSON.parse(again.body).data.jobId).toBe(job.body.data.jobId);
    await context.close();
  });

  it('shows the credit balance and the ledger', async () => {
    const { context, page } = await newPage(browser);
    await signIn(page, server.url, server.key, '#/credits');
    await open(page, '#/credits', 'Credits');
    const balance = await call(`${server.url}/credits`, { key: server.key });
    await page.locator('.balance').getByText(String(balance.body.data.available), { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Credit ledger' }).getByText('grant').first().waitFor();
    await context.close();
  });
});
