// Triangulation on the wall, in two browsers: the team lead writes a key message and gathers
// notes onto it (by mouse drag and from the keyboard list) while a peer's window shows its
// strength change; unused notes can be filtered; dot votes stay hidden until revealed; a locked
// wall is read-only for peers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { screenshotPath } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { openWall as openWallAs } from './support/wall-page.mjs';

const fixture = useServerAndBrowser();
const HEADING = 'Capacity for improvement';

const openWall = (email) => openWallAs(fixture, email);

const column = (page, name) => page.locator('section.wall-column').filter({ has: page.getByRole('heading', { name, exact: true }) });
const message = (page, text) => page.locator('li.message', { hasText: text });
const note = (page, text) => page.locator('li.note', { hasText: text });

test('a message gathers evidence in one window and its strength updates in another', async () => {
  const lead = await openWall('lead@demo.peerwall.test');
  const peer = await openWall('peer1@demo.peerwall.test');
  const sentence = 'Staff engagement is rising and managers use the new appraisal process.';

  // The lead writes a key message under the heading.
  await column(lead, HEADING).getByRole('button', { name: '+ Key message' }).click();
  await column(lead, HEADING).getByLabel('Key message (one sentence)').fill(sentence);
  await column(lead, HEADING).getByLabel('Kind of message').selectOption({ label: 'Strength' });
  await column(lead, HEADING).getByRole('button', { name: 'Add message' }).click();
  const seen = message(peer, sentence);
  await seen.waitFor();
  assert.equal(await seen.locator('.strength-marker').innerText(), 'No evidence yet');

  // A note dragged onto the message becomes its evidence: one source, so it needs corroboration.
  await note(lead, 'Staff survey response up').dragTo(message(lead, sentence));
  await seen.locator('.strength-marker', { hasText: 'Needs corroboration' }).waitFor();
  assert.match(await seen.locator('.strength-counts').innerText(), /^1 note · 1 session · 1 group · 1 pair$/);

  // From the keyboard: the evidence list offers the heading's other notes.
  await message(lead, sentence).locator('summary').click();
  await message(lead, sentence).getByLabel('Add a note as evidence').selectOption({ label: 'A single improvement plan would help: three separate action plans cover overlapping ground.'.slice(0, 80) });
  await message(lead, sentence).getByRole('button', { name: 'Add', exact: true }).click();
  await seen.locator('.strength-marker', { hasText: 'Corroborated' }).waitFor();
  assert.match(await seen.locator('.strength-counts').innerText(), /^2 notes · 2 sessions · 2 groups/);
  // The note stays on the wall where it was; it now also counts as used.
  await column(peer, HEADING).getByText('0 not yet used').waitFor();
  await peer.getByLabel('Not yet used as evidence').check();
  await peer.waitForFunction((heading) => {
    const section = [...document.querySelectorAll('section.wall-column')].find((s) => s.querySelector('h2')?.textContent === heading);
    return section && section.querySelectorAll('li.note').length === 0;
  }, HEADING);
  await peer.getByLabel('Not yet used as evidence').uncheck();
  await column(peer, HEADING).locator('li.note').nth(1).waitFor();

  // Removing evidence is live too.
  await message(peer, sentence).locator('summary').click();
  await message(peer, sentence).getByRole('button', { name: 'Remove from the evidence' }).first().click();
  await message(lead, sentence).locator('.strength-marker', { hasText: 'Needs corroboration' }).waitFor();
  await lead.screenshot({ path: screenshotPath('triangulation.png'), clip: { x: 0, y: 0, width: 1600, height: 1300 } });
  for (const page of [lead, peer]) assert.deepEqual(page.problems, []);
});

test('dot votes are counted live but hidden until the facilitator reveals them', async () => {
  const facilitator = await openWall('facilitator@demo.peerwall.test');
  const peer = await openWall('peer2@demo.peerwall.test');
  const demo = 'Partners trust the council';
  await peer.getByText('You have 3 of 3 votes left.').waitFor();
  await message(peer, demo).getByRole('button', { name: 'Vote for this message' }).click();
  await message(peer, demo).getByRole('button', { name: 'Vote for this message' }).click();
  await peer.getByText('You have 1 of 3 votes left.').waitFor();
  assert.equal(await message(peer, demo).locator('.my-votes').innerText(), '●●');
  // The facilitator sees that votes were cast, not where.
  await facilitator.getByText(/2 cast, hidden until revealed/).waitFor();
  assert.equal(await message(facilitator, demo).locator('.vote-total').count(), 0);
  await facilitator.getByRole('button', { name: 'Reveal the votes' }).click();
  await message(peer, demo).locator('.vote-total', { hasText: '2 votes' }).waitFor();
  await message(facilitator, demo).locator('.vote-total', { hasText: '2 votes' }).waitFor();
  // A third and fourth vote: the fourth is refused with a reason, nothing else changes.
  await message(peer, demo).getByRole('button', { name: 'Vote for this message' }).click();
  await message(facilitator, demo).locator('.vote-total', { hasText: '3 votes' }).waitFor();
  await message(peer, demo).getByRole('button', { name: 'Vote for this message' }).click();
  await peer.getByText(/used all 3 of your votes/).waitFor();
  assert.equal(await message(peer, demo).locator('.vote-total').innerText(), '3 votes');
  for (const page of [facilitator, peer]) assert.deepEqual(page.problems, []);
});

test('a locked wall is read-only for peers and keeps what they were writing', async () => {
  const facilitator = await openWall('facilitator@demo.peerwall.test');
  const peer = await openWall('peer3@demo.peerwall.test');
  await facilitator.getByRole('button', { name: 'Lock the wall' }).click();
  await peer.getByText('The wall is locked while the presentation is prepared').waitFor();
  await peer.getByLabel('Note', { exact: true }).click();
  assert.equal(await peer.getByRole('button', { name: 'Add note' }).isDisabled(), true);
  assert.equal(await column(peer, HEADING).getByRole('button', { name: '+ Key message' }).isDisabled(), true);
  await peer.getByLabel('Note', { exact: true }).fill('Written during the lock.');
  // The facilitator can still prepare the messages.
  await column(facilitator, HEADING).getByRole('button', { name: '+ Key message' }).click();
  await column(facilitator, HEADING).getByLabel('Key message (one sentence)').fill('One improvement plan, not three.');
  await column(facilitator, HEADING).getByRole('button', { name: 'Add message' }).click();
  await message(peer, 'One improvement plan, not three.').waitFor();
  await facilitator.getByRole('button', { name: 'Unlock the wall' }).click();
  await peer.getByRole('button', { name: 'Add note' }).and(peer.locator(':enabled')).waitFor();
  assert.equal(await peer.getByLabel('Note', { exact: true }).inputValue(), 'Written during the lock.');
  await peer.getByRole('button', { name: 'Add note' }).click();
  await note(facilitator, 'Written during the lock.').waitFor();
  for (const page of [facilitator, peer]) assert.deepEqual(page.problems, []);
});
