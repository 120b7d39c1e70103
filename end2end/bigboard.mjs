// The big-board figure's browser half (run by `peerwall-bench big-board`, not by `npm test`):
// opens a wall of many notes in Debian's headless Chromium, three times in fresh contexts, and
// prints, as JSON, the milliseconds from navigation start until the page is hydrated, until the
// wall is live, and until every note is on screen (medians).
//
// node bigboard.mjs <base url> <cookie name> <session token> <review id> <notes>
import { launchBrowser } from './tests/support/browser.mjs';

const [base, cookieName, token, review, notesText] = process.argv.slice(2);
const notes = Number(notesText);
const browser = await launchBrowser();
const runs = [];
try {
  for (let run = 0; run < 3; run++) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addCookies([{ name: cookieName, value: token, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/reviews/${review}/wall`, { waitUntil: 'commit' });
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
    const hydrated = await page.evaluate(() => performance.now());
    await page.locator('.wall-status[data-status="live"]').waitFor({ timeout: 60_000 });
    const live = await page.evaluate(() => performance.now());
    await page.waitForFunction((n) => document.querySelectorAll('li.note').length >= n, notes, { timeout: 60_000, polling: 'raf' });
    const rendered = await page.evaluate(() => performance.now());
    const shown = await page.locator('li.note').count();
    runs.push({ hydrated, live, rendered, shown });
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
console.log(JSON.stringify({
  hydrated_ms: median('hydrated'),
  live_ms: median('live'),
  all_notes_ms: median('rendered'),
  notes_shown: Math.min(...runs.map((r) => r.shown)),
  runs,
}));
