// The round-table presentation: the team lead projects the key messages, a host officer follows
// remotely and moves with every slide, and sees messages but no notes or authors; screenshots
// of the projector view at 1920×1080 and 1024×768; the handout and the export.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn as signInAt } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();
const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';

async function openReview(email, viewport) {
  const page = await openPage(fixture.browser, viewport ? { viewport } : {});
  await signInAt(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  return page;
}

/// Opens the projector view as the team lead, from the wall.
async function openProjector(viewport) {
  const lead = await openReview('lead@demo.peerwall.test', viewport);
  await lead.getByRole('link', { name: 'Open the findings wall' }).click();
  await lead.locator('.wall-status[data-status="live"]').waitFor();
  await lead.getByRole('link', { name: 'Present', exact: true }).click();
  await lead.locator('.slide').waitFor();
  return lead;
}

/// Makes sure the handout is published to the council (or, with `on` false, is not).
async function handout(lead, on = true) {
  const publish = lead.getByRole('button', { name: 'Publish the handout to the council' });
  const withdraw = lead.getByRole('button', { name: 'Withdraw the handout' });
  await publish.or(withdraw).waitFor();
  if (on && await publish.count()) await publish.click();
  if (!on && await withdraw.count()) await withdraw.click();
  await (on ? withdraw : publish).waitFor();
}

/// Makes sure the presentation is being given to the room (or, with `on` false, is not).
async function presenting(lead, on = true) {
  const start = lead.getByRole('button', { name: 'Start presenting to the room' });
  const end = lead.getByRole('button', { name: 'End the presentation' });
  await start.or(end).waitFor();
  if (on && await start.count()) await start.click();
  if (!on && await end.count()) await end.click();
  await (on ? end : start).waitFor();
}

test('the presenter advances a slide and a remote follower moves with it', async () => {
  const lead = await openProjector({ width: 1920, height: 1080 });
  await lead.locator('.slide-cover').waitFor();
  assert.match(await lead.locator('.slide-cover').innerText(), /Feedback round-table/i);
  await presenting(lead, true);

  // A host officer follows from the review page.
  const host = await openReview('host@demo.peerwall.test', { width: 1024, height: 768 });
  await host.getByRole('link', { name: 'Follow the presentation' }).click();
  await host.locator('.slide-cover').waitFor();
  assert.equal(await host.getByRole('button', { name: 'Next ▶' }).count(), 0, 'followers get no controls');

  // The clicker: Page Down, then the arrow key.
  await lead.keyboard.press('PageDown');
  await lead.locator('.slide[data-slide="0"]').waitFor();
  await host.locator('.slide[data-slide="0"]').waitFor();
  assert.equal(await host.locator('.slide-title').innerText(), 'Organisational and place leadership');
  await lead.keyboard.press('ArrowRight');
  await host.locator('.slide[data-slide="1"]').waitFor();
  const text = await host.locator('.slide').innerText();
  assert.match(text, /Scrutiny does not yet shape decisions/);
  assert.match(text, /AREAS FOR IMPROVEMENT/i);
  // Messages only: no note text, no authors, no pairs.
  for (const secret of ['Scrutiny chairs say reports arrive too late', 'Helen Marsh', 'Gareth Lloyd', 'Pair ']) {
    assert.equal(text.includes(secret), false, `the follower sees ${secret}`);
  }
  // The host cannot move the slides, even by keyboard.
  await host.keyboard.press('ArrowLeft');
  await host.waitForTimeout(300);
  await host.locator('.slide[data-slide="1"]').waitFor();
  await lead.keyboard.press('ArrowLeft');
  await host.locator('.slide[data-slide="0"]').waitFor();

  await lead.screenshot({ path: screenshotPath('projector-1920x1080.png') });
  await host.screenshot({ path: screenshotPath('projector-1024x768.png') });
  // Both fit their screens: nothing scrolls.
  for (const page of [lead, host]) {
    const overflow = await page.evaluate(() => {
      const stage = document.querySelector('.stage');
      return stage.scrollHeight - stage.clientHeight;
    });
    assert.ok(overflow <= 1, `the slide overflows by ${overflow}px`);
  }
  assert.equal(await lead.locator('.stage-error').count(), 0);
  for (const page of [lead, host]) assert.deepEqual(page.problems, []);
});

test('the presenter panel shows the next heading and puts a quote on the slide for followers', async () => {
  const lead = await openReview('lead@demo.peerwall.test');
  const base = lead.url().replace(/\/$/, '');
  await lead.goto(`${base}/present/panel`);
  await waitForHydration(lead);
  await lead.getByText('Next:').waitFor();
  // Start from the title slide, wherever the last test left the presentation.
  await lead.getByRole('button', { name: 'Title slide' }).click();
  await lead.locator('.panel-current', { hasText: 'Title slide' }).waitFor();
  assert.equal(await lead.locator('.panel-next strong').innerText(), 'Organisational and place leadership');
  const presenting = lead.getByRole('button', { name: 'Start presenting to the room' });
  if (await presenting.count()) await presenting.click();
  await lead.getByRole('button', { name: 'End the presentation' }).waitFor();
  const observer = await openReview('observer@demo.peerwall.test');
  await observer.goto(`${base}/follow`);
  await observer.locator('.slide-cover').waitFor();

  await lead.getByRole('button', { name: 'Next ▶' }).click();
  await observer.locator('.slide[data-slide="0"]').waitFor();
  await lead.locator('.panel-current', { hasText: 'Organisational and place leadership' }).waitFor();
  const quote = 'Partners describe the chief executive as visible and trusted';
  await lead.locator('li', { hasText: quote }).getByRole('button', { name: 'Show as quote' }).click();
  await observer.locator('.slide-quote', { hasText: quote }).waitFor();
  // The quote is shown without who said it or where.
  const text = await observer.locator('.slide').innerText();
  assert.equal(text.includes("Partners' round table"), false);
  await lead.locator('li', { hasText: quote }).getByRole('button', { name: 'Hide the quote' }).click();
  await observer.locator('.slide-quote').waitFor({ state: 'detached' });
  await lead.getByLabel('Your notes (kept in this browser only)').fill('Thank the chief executive.');
  await lead.reload();
  await waitForHydration(lead);
  // The panel is a lazily loaded page: its notes come back once its own code has run.
  await lead.waitForFunction(() => document.querySelector('#presenter-notes')?.value === 'Thank the chief executive.');
  assert.equal(await lead.getByLabel('Your notes (kept in this browser only)').inputValue(), 'Thank the chief executive.');
  for (const page of [lead, observer]) assert.deepEqual(page.problems, []);
});

test('the handout prints every key message, and the host gets it once published but never the wall export', async () => {
  const lead = await openProjector();
  await presenting(lead, false);
  await handout(lead, false);
  const host = await openReview('host@demo.peerwall.test');
  await host.getByRole('link', { name: 'Key messages handout' }).click();
  await host.getByText('once the facilitator publishes the handout').waitFor();
  assert.equal(await host.locator('.handout-heading').count(), 0);
  await handout(lead, true);
  await host.locator('.handout-heading').first().waitFor();
  assert.equal(await host.locator('.handout-heading').count(), 2);
  await host.emulateMedia({ media: 'print' });
  assert.equal(await host.locator('.site-header').isVisible(), false, 'the site header is not printed');
  const pdf = await host.pdf({ format: 'A4' });
  assert.ok(pdf.length > 1000);
  const exportUrl = host.url().replace(/handout$/, '').replace('/reviews/', '/api/reviews/') + 'wall/export?format=csv';
  const refused = await host.request.get(exportUrl);
  assert.equal(refused.status(), 403);
  assert.deepEqual(host.problems, []);
});

// Last: it adds a key message, which would change the other tests' slides.
test('the host lead follows the whole visit and receives no key message before the presentation', async () => {
  // Nothing presented or published yet.
  const lead = await openProjector({ width: 1600, height: 1000 });
  await presenting(lead, false);
  await handout(lead, false);
  // The host lead opens the follow link at the start of the visit and leaves it open.
  const host = await openReview('host@demo.peerwall.test', { width: 1024, height: 768 });
  const frames = [];
  host.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
  await host.getByRole('link', { name: 'Follow the presentation' }).click();
  await host.locator('.slide[data-slide="waiting"]').waitFor();
  assert.match(await host.locator('.slide').innerText(), /has not started/);
  await host.screenshot({ path: screenshotPath('follow-waiting.png') });

  // Meanwhile the team writes a key message on the wall.
  const draft = 'Draft: the medium-term financial plan lacks savings detail.';
  const wall = await openReview('facilitator@demo.peerwall.test', { width: 1600, height: 2400 });
  await wall.getByRole('link', { name: 'Open the findings wall' }).click();
  await wall.locator('.wall-status[data-status="live"]').waitFor();
  await wall.getByRole('button', { name: '+ Key message' }).first().click();
  await wall.getByLabel('Key message (one sentence)').fill(draft);
  await wall.getByRole('button', { name: 'Add message' }).click();
  await wall.getByText(draft).first().waitFor();
  await host.waitForTimeout(1000);
  for (const secret of [draft, 'Scrutiny does not yet shape decisions']) {
    assert.equal(frames.some((frame) => frame.includes(secret)), false, `the host received "${secret}" before the presentation`);
  }
  assert.equal(await host.getByText(draft).count(), 0);

  // The round-table: the facilitator starts presenting and the host's page shows it at once.
  await presenting(lead, true);
  await host.locator('.slide-cover .slide-agenda').waitFor();
  assert.ok(frames.some((frame) => frame.includes('Scrutiny does not yet shape decisions')));
  for (const page of [host, lead, wall]) assert.deepEqual(page.problems, []);
});
