// Peers take notes on site on tablets and phones: every page fits a phone's width, and what
// sits side by side on a desk screen wraps instead of running off the edge or overlapping.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/// Elements whose right edge is past the screen's, except inside something that scrolls
/// sideways on purpose (the wall's columns, the team table), and the page's own width.
function offTheEdge(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (element) => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        const overflow = getComputedStyle(parent).overflowX;
        if (overflow === 'auto' || overflow === 'scroll') return true;
      }
      return false;
    };
    const off = [...document.querySelectorAll('body *')]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1 && !scrolls(element);
      })
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} ends at ${Math.round(element.getBoundingClientRect().right)} of ${width}`);
    // Something positioned can widen the page from inside a scrolling box, and then the whole
    // page pans sideways under a finger.
    const page = document.documentElement.scrollWidth;
    if (page > width + 1) off.push(`the page is ${page}px wide on a ${width}px screen`);
    return off;
  });
}

/// Pairs of the given elements whose boxes overlap.
async function overlapping(locator) {
  const boxes = [];
  for (const element of await locator.all()) boxes.push({ name: await element.innerText(), box: await element.boundingBox() });
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i].box, boxes[j].box];
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      if (!apart) overlaps.push(`${boxes[i].name} / ${boxes[j].name}`);
    }
  }
  return overlaps;
}

test('on a phone, every page a facilitator uses fits the screen and its buttons do not overlap', async () => {
  const page = await openPage(fixture.browser, PHONE);
  await signIn(page, fixture.server.url, 'facilitator@demo.peerwall.test');
  assert.deepEqual(await offTheEdge(page), [], 'home');
  const header = await page.locator('.site-header').boundingBox();
  assert.ok(header.height < 140, `the header takes ${header.height}px of the phone's height`);

  const review = await page.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).first().getAttribute('href');
  await page.goto(`${fixture.server.url}${review}`);
  await waitForHydration(page);
  assert.deepEqual(await offTheEdge(page), [], 'review');
  assert.deepEqual(await overlapping(page.locator('.wall-link a')), [], 'the review page\'s actions');
  await page.screenshot({ path: screenshotPath('phone-review.png') });

  await page.goto(`${fixture.server.url}${review}/wall`);
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();
  assert.deepEqual(await offTheEdge(page), [], 'wall');
  await page.getByRole('button', { name: /^Filters/ }).tap();
  const check = page.locator('#filter-unused');
  const label = page.locator('label[for="filter-unused"]');
  const [checkBox, labelBox] = [await check.boundingBox(), await label.boundingBox()];
  assert.ok(labelBox.x - (checkBox.x + checkBox.width) < 16, 'the checkbox sits beside its label');
  assert.ok(labelBox.height < 30, `"Not yet used as evidence" wraps to ${labelBox.height}px`);
  await page.screenshot({ path: screenshotPath('phone-wall.png') });

  for (const path of ['/account', '/admin', '/reviews/new', `${review}/handout`, `${review}/follow`]) {
    await page.goto(`${fixture.server.url}${path}`);
    await waitForHydration(page);
    assert.deepEqual(await offTheEdge(page), [], path);
  }
  assert.deepEqual(page.problems, []);
});

test('on a phone, a peer can write a note and see it on the wall', async () => {
  const page = await openPage(fixture.browser, PHONE);
  await signIn(page, fixture.server.url, 'peer1@demo.peerwall.test');
  const review = await page.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).first().getAttribute('href');
  await page.goto(`${fixture.server.url}${review}/wall`);
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();

  const text = 'Phone note: the leader credits the housing board for the turnaround.';
  await page.getByLabel('Note', { exact: true }).tap();
  await page.getByLabel('Note', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Add note' }).tap();
  const note = page.locator('.note', { hasText: text });
  await note.waitFor();
  await page.waitForFunction((t) => [...document.querySelectorAll('.note')].some((n) => n.textContent.includes(t) && !n.classList.contains('note-unsaved')), text);
  assert.deepEqual(await offTheEdge(page), [], 'wall with the new note');
  assert.deepEqual(page.problems, []);
});

test('on a tablet, the filters fold behind a toggle that says how many are on, and the notes start on the first screen', async () => {
  const page = await openPage(fixture.browser, { viewport: { width: 1024, height: 768 }, hasTouch: true });
  await signIn(page, fixture.server.url, 'peer1@demo.peerwall.test');
  const review = await page.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).first().getAttribute('href');
  await page.goto(`${fixture.server.url}${review}/wall`);
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();

  const toggle = page.getByRole('button', { name: /^Filters/ });
  const kind = page.locator('#filter-kind');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await kind.isVisible(), false, 'the filters start folded');
  await page.screenshot({ path: screenshotPath('tablet-wall.png') });
  const firstNote = await page.locator('.note').first().boundingBox();
  assert.ok(firstNote.y < 768, `the first note starts ${Math.round(firstNote.y)}px down a 768px screen`);

  await toggle.tap();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await kind.selectOption('question');
  await page.locator('#filter-unused').check();
  await toggle.tap();
  assert.equal(await kind.isVisible(), false);
  assert.equal(await toggle.innerText(), 'Filters (2 on)');
  // Folded, the filters still apply: only unused questions show.
  const kinds = await page.locator('.note').evaluateAll((notes) => [...new Set(notes.map((n) => n.dataset.kind))]);
  assert.deepEqual(kinds, ['question']);

  // On a desk screen the filters are always out and there is no toggle.
  await page.setViewportSize({ width: 1280, height: 800 });
  assert.equal(await toggle.isVisible(), false);
  assert.equal(await kind.isVisible(), true);
  assert.deepEqual(page.problems, []);
});
