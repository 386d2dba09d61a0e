/**
 * What the browser tests share: the checks that the dashboard is built and Chromium is there
 * (each fails with what to do, never a silent skip), launching Chromium, signing in, and saving
 * screenshots.
 *
 * Screenshots go to test-artifacts/screenshots/ on every run. The few the README shows also go
 * to docs/screenshots/, but only when missing or with LONGRUN_DOCS_SCREENSHOTS=1: a test run
 * should not leave tracked files changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'test-artifacts', 'screenshots');
const DOCS = path.join(REPO, 'docs', 'screenshots');

/** Fails the run when the dashboard is not built, saying how to build it. */
export function requireDashboardBuilt(): void {
  if (!fs.existsSync(path.join(REPO, 'dashboard', 'dist', 'index.html'))) {
    throw new Error(
      'dashboard/dist is missing: build the dashboard with `npx vite build --config dashboard/vite.config.ts` ' +
        '(npm run build:dashboard; npm install and npm ci run it as the prepare step).',
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests drive Debian's Chromium, which .ci/run installs (apt-get install chromium).`);
  }
  // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A fresh context (its own sessionStorage) and page; waits fail after 15 s with Playwright's message. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce', colorScheme: 'light', locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Anything the page logs as an error is a test failure waiting to be explained: show it.
  page.on('pageerror', (error) => console.error('[dashboard]', error));
  return { context, page };
}

export async function signIn(page: Page, baseUrl: string, key: string, hash = '#/jobs'): Promise<void> {
  await page.goto(`${baseUrl}/dashboard/${hash}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Goes to a dashboard route in the same page (no reload) and waits for its heading. */
export async function open(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

export async function screenshot(page: Page, name: string, opts: { docs?: boolean; fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage });
  const docFile = path.join(DOCS, `${name}.png`);
  if (opts.docs && (process.env.LONGRUN_DOCS_SCREENSHOTS === '1' || !fs.existsSync(docFile))) {
    fs.mkdirSync(DOCS, { recursive: true });
    fs.copyFileSync(file, docFile);
  }
}

/** True when the page is wider than the window, i.e. the user would have to scroll sideways. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
