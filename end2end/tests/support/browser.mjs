// Debian's Chromium, driven by playwright-core; no browser is ever downloaded.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { audit } from './accessibility.mjs';

const results = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/// The contexts opened by the running test; the fixture closes them when it ends, so live pages
/// (sockets, timers) of one test do not slow the next on a 2-core runner.
const openContexts = new Set();

/// Requests the open pages sent that have not finished, for a failed test's report.
export function unfinishedRequests() {
  return [...openContexts].flatMap((context) => context.pages())
    .flatMap((page) => [...(page.pending ?? new Map()).values()]);
}

export async function closeOpenPages() {
  const contexts = [...openContexts];
  openContexts.clear();
  await Promise.all(contexts.map((context) => context.close().catch(() => {})));
}

/// A page that records console errors and uncaught exceptions, so a hydration panic fails a test.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  openContexts.add(context);
  const page = await context.newPage();
  page.problems = [];
  page.pending = new Map();
  page.on('request', (request) => page.pending.set(request, `${new Date().toISOString()} ${request.method()} ${request.url()}`));
  for (const done of ['requestfinished', 'requestfailed']) page.on(done, (request) => page.pending.delete(request));
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // A refused request (4xx) is the app working as designed; anything else is a problem.
    const refused = /status of 4\d\d/.test(message.text());
    if (message.type() === 'error' && !refused) page.problems.push(`console: ${message.text()}`);
  });
  return page;
}

/// Waits until the browser has taken over the server-rendered page.
/// Each page is audited for accessibility once it has hydrated (`accessibility.mjs`).
export async function waitForHydration(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 20_000 });
  await audit(page, 'hydrated', { collect: true });
}

/// The pages of the running test that are still open.
export function openPages() {
  return [...openContexts].flatMap((context) => context.pages()).filter((page) => !page.isClosed());
}

export function screenshotPath(name) {
  mkdirSync(results, { recursive: true });
  return path.join(results, name);
}
