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

/// The note form's controls and their labels, in the order they are laid out.
async function composerFields(page) {
  const fields = [];
  for (const id of ['note-kind', 'note-source', 'note-stakeholder', 'note-tags', 'note-heading']) {
    fields.push({ id, control: await page.locator(`#${id}`).boundingBox(), label: await page.locator(`label[for="${id}"]`).boundingBox() });
  }
  return fields;
}

/// Fields side by side must line up: the same top and height for their controls, and their
/// labels level and on one line.
function assertRowsLineUp(fields, where) {
  const rows = new Map();
  for (const field of fields) {
    const key = [...rows.keys()].find((top) => Math.abs(top - field.control.y) < 40) ?? field.control.y;
    rows.set(key, [...(rows.get(key) ?? []), field]);
  }
  for (const row of rows.values()) {
    const [first] = row;
    for (const field of row) {
      assert.ok(field.control.height >= 43.5, `${where}: #${field.id} is ${field.control.height}px tall, under a 44px touch target`);
      assert.ok(Math.abs(field.control.y - first.control.y) <= 1, `${where}: #${field.id} starts at ${field.control.y}, #${first.id} at ${first.control.y}`);
      assert.ok(Math.abs(field.control.height - first.control.height) <= 1, `${where}: #${field.id} is ${field.control.height}px tall, #${first.id} ${first.control.height}px`);
      assert.ok(Math.abs(field.label.y - first.label.y) <= 1, `${where}: the label of #${field.id} is not level with #${first.id}'s`);
      assert.ok(field.label.height < 30, `${where}: the label of #${field.id} wraps`);
    }
  }
  return rows.size;
}

test('on a laptop and a tablet, the note form\'s fields line up at one touch-sized height and the wall\'s title keeps its status beside it', async () => {
  const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 800 } });
  await signIn(page, fixture.server.url, 'facilitator@demo.peerwall.test');
  const review = await page.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).first().getAttribute('href');
  await page.goto(`${fixture.server.url}${review}/wall`);
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();

  // A laptop: the whole form in one row, the button on it, once the form is in use.
  await page.getByLabel('Note', { exact: true }).click();
  const laptop = await composerFields(page);
  assert.equal(assertRowsLineUp(laptop, '1280px'), 1, 'the note form fits one row at 1280px');
  const add = await page.getByRole('button', { name: 'Add note' }).boundingBox();
  const middle = add.y + add.height / 2;
  assert.ok(middle > laptop[0].control.y && middle < laptop[0].control.y + laptop[0].control.height, '"Add note" sits on the fields\' row');
  for (const id of ['filter-kind', 'filter-pair', 'filter-source', 'filter-stakeholder', 'filter-tag', 'filter-search']) {
    const box = await page.locator(`#${id}`).boundingBox();
    assert.ok(Math.abs(box.height - laptop[0].control.height) <= 1, `filter #${id} is ${box.height}px tall, the note form's fields ${laptop[0].control.height}px`);
  }
  // The facilitator's "Votes each" box: a bordered box with its label beside it, not jammed against it.
  const votes = await page.locator('#votes-per-person').boundingBox();
  const votesLabel = await page.locator('label[for="votes-per-person"]').boundingBox();
  assert.ok(votes.x - (votesLabel.x + votesLabel.width) >= 4, 'a gap between "Votes each" and its box');
  assert.ok(votes.width >= 56, `the votes box is ${votes.width}px wide`);
  await page.locator('.wall-header').screenshot({ path: screenshotPath('laptop-wall-header.png') });

  // A tablet: the form wraps into rows that still line up; the status stays beside the title
  // and the wall's actions go underneath both.
  await page.setViewportSize({ width: 1024, height: 768 });
  const tablet = await composerFields(page);
  assertRowsLineUp(tablet, '1024px');
  const title = await page.locator('.wall-header > div').first().boundingBox();
  const status = await page.locator('.wall-status').boundingBox();
  const actions = await page.locator('.wall-actions').boundingBox();
  assert.ok(status.y < title.y + title.height && status.y + status.height > title.y, 'the status is level with the title');
  assert.ok(actions.y >= status.y + status.height - 1, 'the wall\'s actions sit under the title and status');
  assert.deepEqual(page.problems, []);
});

test('on a council laptop (1366×768) the wall comes first: the note form is one line until used, the filters fold, and every column in view shows its first note on the first screen', async () => {
  const page = await openPage(fixture.browser, { viewport: { width: 1366, height: 768 } });
  // The facilitator has the most above the columns (the wall's actions, the voting settings).
  await signIn(page, fixture.server.url, 'facilitator@demo.peerwall.test');
  const review = await page.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).first().getAttribute('href');
  await page.goto(`${fixture.server.url}${review}/wall`);
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();
  await page.locator('li.note').first().waitFor();

  const form = page.getByRole('form', { name: 'New note' });
  const kind = page.locator('#note-kind');
  assert.equal(await kind.isVisible(), false, 'the note\'s details are folded away');
  const folded = await form.boundingBox();
  assert.ok(folded.height < 90, `the folded note form is ${folded.height}px tall`);
  assert.equal(await page.locator('#filter-kind').isVisible(), false, 'the filters are folded');
  assert.equal(await page.getByRole('button', { name: /^Filters/ }).isVisible(), true);

  // The first card of every column on the screen (its first key message, or its first note) is
  // there without scrolling: whole in the columns wholly on the screen, its first lines in the
  // one the screen's edge cuts.
  const columns = await page.locator('.wall-column').evaluateAll((columns) => columns.map((column) => {
    const box = column.getBoundingClientRect();
    const card = column.querySelector('.message, li.note')?.getBoundingClientRect();
    return { title: column.querySelector('h2')?.textContent, left: box.left, right: box.right, card: card && { top: card.top, bottom: card.bottom } };
  }));
  const whole = columns.filter((column) => column.right <= 1366 && column.card);
  assert.ok(whole.length >= 4, `${whole.length} columns with notes wholly on the screen`);
  for (const column of whole) {
    assert.ok(column.card.bottom <= 768, `"${column.title}": its first card ends ${Math.round(column.card.bottom)}px down a 768px screen`);
  }
  for (const column of columns.filter((column) => column.left < 1366 && column.right > 1366 && column.card)) {
    assert.ok(column.card.top <= 768 - 100, `"${column.title}", cut by the screen's edge: its first card starts ${Math.round(column.card.top)}px down`);
  }
  await page.screenshot({ path: screenshotPath('laptop-wall.png') });

  // Used, the form unfolds; it stays open while a note is written, the focus elsewhere or not
  // (folding when the focus leaves would move the wall under a pointer mid-click), and folds
  // again once the note is added.
  await page.getByLabel('Note', { exact: true }).click();
  await kind.waitFor();
  await page.getByLabel('Note', { exact: true }).fill('Laptop note: the budget gap is understood by every portfolio holder.');
  await page.locator('h1').click();
  assert.equal(await kind.isVisible(), true, 'a note being written keeps the form open');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.locator('li.note', { hasText: 'Laptop note' }).waitFor();
  await kind.waitFor({ state: 'hidden' });
  assert.deepEqual(page.problems, []);
});
