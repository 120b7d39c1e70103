// Debian's Chromium, driven by playwright-core; no browser is ever downloaded.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

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

/// A page that records console errors and uncaught exceptions, so a hydration panic fails a test.
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // A refused request (4xx) is the app working as designed; anything else is a problem.
    const refused = /status of 4\d\d/.test(message.text());
    if (message.type() === 'error' && !refused) page.problems.push(`console: ${message.text()}`);
  });
  return page;
}

/// Waits until the browser has taken over the server-rendered page.
export async function waitForHydration(page) {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 20_000 });
}

export function screenshotPath(name) {
  mkdirSync(results, { recursive: true });
  return path.join(results, name);
}
