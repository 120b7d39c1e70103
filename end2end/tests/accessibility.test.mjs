// Accessibility: every page of the demo, for every role and signed out, at a desk's width and a
// phone's, audited with axe-core (each page is audited when it hydrates, `support/accessibility`);
// the main flows walked through with the keyboard alone; a note moved with taps instead of a
// drag; and the accessibility statement, linked from every page, with the site's contact.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { audit } from './support/accessibility.mjs';
import { openPage, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { DEMO_PASSWORD, signIn } from './support/sign-in-page.mjs';
import { REVIEW, openWall } from './support/wall-page.mjs';

const CONTACT = 'accessibility@eastbrook.example.gov.uk';
const fixture = useServerAndBrowser({ env: { PEERWALL_ACCESSIBILITY_CONTACT: CONTACT } });

const DESK = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/// The demo review's address, from the home page of someone on it.
async function reviewPath(page) {
  const href = await page.getByRole('link', { name: REVIEW }).first().getAttribute('href');
  return href;
}

/// Opens `path` and waits until its page has hydrated and its heading is there (the audit runs
/// on hydration; this one waits for what loads after it too).
async function visit(page, path, state) {
  await page.goto(`${fixture.server.url}${path}`);
  await waitForHydration(page);
  await page.locator('main h1, .slide, .follow').first().waitFor({ timeout: 15_000 });
  await page.locator('.status:text-matches("^(Loading|Opening)")').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
  await audit(page, state);
}

const REVIEW_PAGES = ['', '/wall', '/timetable', '/documents', '/data', '/report', '/present', '/present/panel', '/follow', '/handout'];

for (const [who, email, size] of [
  ['the facilitator', 'facilitator@demo.peerwall.test', DESK],
  ['the team lead', 'lead@demo.peerwall.test', DESK],
  ['a peer', 'peer1@demo.peerwall.test', DESK],
  ['the host lead', 'host@demo.peerwall.test', DESK],
  ['a host reader', 'reader@demo.peerwall.test', DESK],
  ['an observer', 'observer@demo.peerwall.test', DESK],
  ['the facilitator on a phone', 'facilitator@demo.peerwall.test', PHONE],
  ['a peer on a phone', 'peer1@demo.peerwall.test', PHONE],
  ['the host lead on a phone', 'host@demo.peerwall.test', PHONE],
]) {
  test(`every page passes the audit for ${who}`, async () => {
    const page = await openPage(fixture.browser, size);
    await signIn(page, fixture.server.url, email);
    await audit(page, `home, ${who}`);
    const review = await reviewPath(page);
    for (const path of REVIEW_PAGES) await visit(page, `${review}${path}`, `${path || 'review'}, ${who}`);
    // The signed-off review, its timeline and its action plan, for those on it.
    await page.goto(`${fixture.server.url}/`);
    await waitForHydration(page);
    const signedOff = page.getByRole('link', { name: 'Ashdown District Council Corporate Peer Challenge' });
    if (await signedOff.count()) {
      const href = await signedOff.first().getAttribute('href');
      await visit(page, href, `signed-off review, ${who}`);
      await visit(page, `${href}/plan`, `action plan, ${who}`);
    }
    await visit(page, '/account', `account, ${who}`);
    await visit(page, '/accessibility', `statement, ${who}`);
    assert.deepEqual(page.problems, []);
  });
}

test('signed out, every public page passes the audit, the administrator\'s pages too', async () => {
  for (const size of [DESK, PHONE]) {
    const page = await openPage(fixture.browser, size);
    for (const path of ['/', '/sign-in', '/accessibility', '/no-such-page', '/invitations/not-a-token', '/reset-password/not-a-token']) {
      await visit(page, path, `${path}, signed out`);
    }
    // A wrong password: the form's error.
    await page.goto(`${fixture.server.url}/sign-in`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill('nobody@demo.peerwall.test');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password-here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
    await audit(page, 'sign-in with an error');
    await signIn(page, fixture.server.url, 'admin@demo.peerwall.test');
    for (const path of ['/admin', '/reviews/new']) await visit(page, path, `${path}, administrator`);
  }
});

test('the accessibility statement is linked from every page and gives the site\'s contact', async () => {
  const page = await openPage(fixture.browser);
  await page.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(page);
  await page.getByRole('contentinfo').getByRole('link', { name: 'Accessibility statement' }).click();
  await page.getByRole('heading', { name: 'Accessibility statement for Peerwall' }).waitFor();
  for (const heading of ['Feedback and contact information', 'Enforcement procedure', 'Compliance status', 'Non-accessible content', 'Preparation of this accessibility statement']) {
    await page.getByRole('heading', { name: heading }).waitFor();
  }
  const contact = page.getByRole('link', { name: CONTACT });
  await contact.waitFor();
  assert.equal(await contact.getAttribute('href'), `mailto:${CONTACT}`);
  assert.match(await page.locator('main').innerText(), /partially compliant with the Web Content Accessibility Guidelines version 2\.2 AA/);
  assert.deepEqual(page.problems, []);
});

/// Presses Tab until the focused element's accessible text matches `name`, failing after
/// `limit` presses: the keyboard user's way to a control.
async function tabTo(page, name, { limit = 80, back = false } = {}) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return '';
      const labelled = element.getAttribute('aria-label');
      const label = element.id ? document.querySelector(`label[for="${element.id}"]`)?.innerText : '';
      return `${labelled ?? ''} ${label ?? ''} ${element.innerText ?? ''} ${element.value ?? ''}`.replace(/\s+/g, ' ').trim();
    });
    if (name instanceof RegExp ? name.test(focused) : focused.includes(name)) return focused;
  }
  throw new Error(`Tab never reached "${name}" in ${limit} presses`);
}

test('keyboard alone: sign in, open the wall, write a note, move it, edit it and present', async () => {
  const page = await openPage(fixture.browser, { viewport: { width: 1600, height: 1200 } });
  await page.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(page);
  // The first Tab reaches the skip link.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.innerText), 'Skip to content');
  await tabTo(page, 'Email');
  await page.keyboard.type('peer1@demo.peerwall.test');
  await tabTo(page, 'Password');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${fixture.server.url}/`);
  await waitForHydration(page);

  await tabTo(page, REVIEW);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await tabTo(page, 'Open the findings wall');
  await page.keyboard.press('Enter');
  await page.locator('.wall-status[data-status="live"]').waitFor();

  // Write a note: the form unfolds when the focus reaches it; Ctrl+Enter adds it.
  const text = 'Written and moved with the keyboard alone.';
  await tabTo(page, /^Note\b/);
  await page.keyboard.type(text);
  await page.keyboard.press('Control+Enter');
  const card = page.locator('li.note', { hasText: text });
  await card.waitFor();
  await card.getByText('Not yet saved').waitFor({ state: 'detached' });

  // Reach the note from the form, pick it up, carry it one column right, drop it.
  await tabTo(page, text);
  const before = await card.evaluate((li) => li.closest('.wall-column').dataset.column);
  await page.keyboard.press('Space');
  await page.getByRole('group', { name: 'Move the note' }).waitFor();
  await audit(page, 'wall: a note carried from the keyboard, the move bar open');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Space');
  await page.getByText(/^Dropped in /).waitFor({ state: 'attached' });
  const after = await card.evaluate((li) => li.closest('.wall-column').dataset.column);
  assert.equal(Number(after), Number(before) + 1);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('note')), true);

  // Edit it: Tab to its Edit button, Enter, change the text, Enter saves.
  await tabTo(page, 'Edit this note');
  await page.keyboard.press('Enter');
  const box = page.getByLabel('Note text');
  await box.waitFor();
  // The box opens where the text was, above the button: the focus is taken to it.
  await page.waitForFunction(() => document.activeElement?.id?.startsWith('edit-'));
  await audit(page, 'wall: a note being edited');
  await page.keyboard.press('End');
  await page.keyboard.type(' Edited.');
  await tabTo(page, 'Save');
  await page.keyboard.press('Enter');
  await page.locator('li.note', { hasText: `${text} Edited.` }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('keyboard alone: the team lead presents the key messages', async () => {
  const page = await openWall(fixture, 'lead@demo.peerwall.test');
  await page.locator('main').focus();
  await tabTo(page, /^Present$/);
  await page.keyboard.press('Enter');
  await page.locator('.slide').waitFor();
  await waitForHydration(page);
  const start = page.getByRole('button', { name: 'Start presenting to the room' });
  const end = page.getByRole('button', { name: 'End the presentation' });
  await start.or(end).waitFor();
  if (await start.count()) {
    await tabTo(page, 'Start presenting to the room');
    await page.keyboard.press('Enter');
    await end.waitFor();
  }
  await audit(page, 'presentation: being given');
  const first = await page.locator('.slide').getAttribute('data-slide');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((was) => document.querySelector('.slide')?.dataset.slide !== was, first);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((was) => document.querySelector('.slide')?.dataset.slide === was, first);
  await tabTo(page, 'End the presentation');
  await page.keyboard.press('Enter');
  await start.waitFor();
  assert.deepEqual(page.problems, []);
});

test('a note moves with taps alone: its Move button, then the move bar', async () => {
  const helen = await openWall(fixture, 'peer1@demo.peerwall.test');
  const gareth = await openWall(fixture, 'peer2@demo.peerwall.test');
  const text = 'Moved by tapping, no drag.';
  await helen.getByLabel('Note', { exact: true }).click();
  await helen.getByLabel('Note', { exact: true }).fill(text);
  await helen.getByRole('button', { name: 'Add note' }).click();
  const card = helen.locator('li.note', { hasText: text });
  await card.getByText('Not yet saved').waitFor({ state: 'detached' });
  const before = Number(await card.evaluate((li) => li.closest('.wall-column').dataset.column));

  await card.getByRole('button', { name: 'Move this note' }).click();
  const bar = helen.getByRole('group', { name: 'Move the note' });
  await bar.waitFor();
  assert.match(await bar.innerText(), new RegExp(text));
  // The other reviewer sees who is moving it, as with a drag.
  await gareth.locator('li.note', { hasText: text }).getByText('Helen Marsh is moving this').waitFor();
  await audit(helen, 'wall: a note picked up by its Move button');
  await bar.getByRole('button', { name: 'Right' }).click();
  await bar.getByRole('button', { name: 'Right' }).click();
  // The button pressed keeps the focus between steps.
  assert.equal(await helen.evaluate(() => document.activeElement?.innerText.trim()), 'Right →');
  await bar.getByRole('button', { name: 'Drop here' }).click();
  await bar.waitFor({ state: 'detached' });
  const moved = gareth.locator(`.wall-column[data-column="${before + 2}"] li.note`, { hasText: text });
  await moved.waitFor();

  // Cancel puts it back where it was.
  await card.getByRole('button', { name: 'Move this note' }).click();
  await bar.getByRole('button', { name: 'Left' }).click();
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await bar.waitFor({ state: 'detached' });
  assert.equal(Number(await card.evaluate((li) => li.closest('.wall-column').dataset.column)), before + 2);
  for (const page of [helen, gareth]) assert.deepEqual(page.problems, []);
});
