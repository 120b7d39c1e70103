// The big-board figure's browser half (run by `peerwall-bench big-board`, not by `npm test`):
// opens a wall of many notes in Debian's headless Chromium, three times in fresh contexts, and
// prints, as JSON, milliseconds from navigation start (medians of the three):
//   hydrated      the browser has taken over the page;
//   live          the wall's socket is live and the first notes are painted;
//   interactive   live, and no task after it blocks the page for more than 50 ms (Lighthouse's
//                 criterion for time to interactive: a click or key is answered within 50 ms);
//   all_notes     every note is on the page and painted;
//   longest_task  the longest task after the wall went live (ms);
//   key_step      carrying a note by keyboard on the full wall: a key press to the frame after
//                 the page announced the step (median of seven keys, ms).
// Times are taken inside the page (a MutationObserver, requestAnimationFrame and the Long Tasks
// API), so the harness's own round trips do not count.
//
// node bigboard.mjs <base url> <cookie name> <session token> <review id> <notes>
import { launchBrowser } from './tests/support/browser.mjs';

const [base, cookieName, token, review, notesText] = process.argv.slice(2);
const notes = Number(notesText);

// Runs in the page before any of its scripts.
function record(expected) {
  const seen = { longTasks: [] };
  window.__bigBoard = seen;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) seen.longTasks.push([entry.startTime, entry.duration]);
  }).observe({ type: 'longtask', buffered: true });
  // The moment after the next frame is painted.
  const afterPaint = (key) => requestAnimationFrame(() => setTimeout(() => { seen[key] = performance.now(); }));
  const check = () => {
    if (seen.hydrated === undefined && document.documentElement.dataset.hydrated === 'true') {
      seen.hydrated = performance.now();
    }
    if (seen.liveAt === undefined
      && document.querySelector('.wall-status[data-status="live"]')
      && document.querySelector('li.note')) {
      seen.liveAt = performance.now();
      afterPaint('live');
    }
    if (seen.liveAt !== undefined && seen.allAt === undefined
      && document.querySelectorAll('li.note').length >= expected) {
      seen.allAt = performance.now();
      afterPaint('allNotes');
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-hydrated'],
  });
}

const browser = await launchBrowser();
const runs = [];
try {
  for (let run = 0; run < 3; run++) {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addCookies([{ name: cookieName, value: token, url: base }]);
    await context.addInitScript(record, notes);
    const page = await context.newPage();
    await page.goto(`${base}/reviews/${review}/wall`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bigBoard?.allNotes !== undefined, null, { timeout: 60_000 });
    // A quiet moment, so a long task right after the last note would still be seen.
    await page.waitForTimeout(300);
    const seen = await page.evaluate(() => window.__bigBoard);
    // Carrying a note by keyboard on the full wall: from each key press to the next frame
    // painted after the page announced the step.
    await page.evaluate(() => {
      const steps = [];
      window.__keySteps = steps;
      let pressed;
      document.addEventListener('keydown', () => { pressed = performance.now(); }, { capture: true });
      const region = document.querySelector('[role="status"][aria-live="assertive"]');
      new MutationObserver(() => {
        if (pressed === undefined) return;
        const from = pressed;
        pressed = undefined;
        requestAnimationFrame(() => setTimeout(() => steps.push(performance.now() - from)));
      }).observe(region, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('li.note').first().focus();
    for (const key of ['Space', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowDown', 'Escape']) {
      await page.keyboard.press(key);
      await page.waitForTimeout(150);
    }
    const keySteps = await page.evaluate(() => window.__keySteps);
    const after = seen.longTasks.filter(([start, duration]) => start + duration > seen.liveAt);
    const lastLongEnd = Math.max(0, ...after.map(([start, duration]) => start + duration));
    runs.push({
      hydrated: seen.hydrated ?? seen.liveAt,
      live: seen.live,
      interactive: Math.max(seen.live, lastLongEnd),
      rendered: seen.allNotes,
      longest: Math.max(0, ...after.map(([, duration]) => duration)),
      keyStep: keySteps.sort((a, b) => a - b)[Math.floor(keySteps.length / 2)],
      keySteps: keySteps.length,
      shown: await page.locator('li.note').count(),
    });
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
console.log(JSON.stringify({
  hydrated_ms: median('hydrated'),
  live_ms: median('live'),
  interactive_ms: median('interactive'),
  all_notes_ms: median('rendered'),
  longest_task_ms: median('longest'),
  key_step_ms: median('keyStep'),
  notes_shown: Math.min(...runs.map((r) => r.shown)),
  runs,
}));
