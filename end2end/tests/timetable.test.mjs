// The timetable in two browsers: the host lead adds a session while a peer's "my sessions"
// updates live; the peer writes a note on the wall giving that session as where it was heard,
// and the session's coverage count moves from "No notes yet" to one note.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';
import { REVIEW } from './support/wall-page.mjs';

const fixture = useServerAndBrowser();

async function openTimetable(email, viewport = { width: 1400, height: 1000 }) {
  const page = await openPage(fixture.browser, { viewport });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Timetable', exact: true }).click();
  await page.getByRole('heading', { name: 'Timetable', exact: true }).waitFor();
  // Live once the socket has sent the timetable.
  await page.locator('.timetable-day').first().waitFor();
  return page;
}

const TITLE = 'Housing board interview';

test('the host lead adds a session, a peer sees it live, notes it on the wall, and its coverage moves', async () => {
  const host = await openTimetable('host@demo.peerwall.test', { width: 1600, height: 1200 });
  const peer = await openTimetable('peer1@demo.peerwall.test');
  await peer.getByRole('heading', { name: 'My sessions (pair 1)' }).waitFor();
  assert.equal(await peer.getByRole('button', { name: 'Add a session' }).count(), 0, 'peers do not edit it');
  assert.equal(await peer.locator('.my-sessions', { hasText: TITLE }).count(), 0);

  // The host lead adds a session for pair 1 on the first day.
  await host.getByRole('button', { name: 'Add a session' }).click();
  const form = host.getByRole('form', { name: 'New session' });
  await form.getByLabel('Title').fill(TITLE);
  await form.getByLabel('Starts (HH:MM)').fill('16:00');
  await form.getByLabel('Ends (HH:MM)').fill('15:00');
  await form.getByLabel('Place').fill('Civic Centre, Room 9');
  await form.getByLabel('Stakeholder groups met (commas between)').fill('Senior officers, Partners');
  await form.getByLabel('Pairs attending (numbers, commas between)').fill('1');

  // Meanwhile the facilitator adds a session from another browser: the host lead's timetable
  // shows it at once, and the half-filled form keeps every word.
  const facilitator = await openPage(fixture.browser);
  await signIn(facilitator, fixture.server.url, 'facilitator@demo.peerwall.test');
  const review = host.url().match(/reviews\/([0-9a-f-]+)\//)[1];
  const day = await form.getByLabel('Day (YYYY-MM-DD)').inputValue();
  const status = await facilitator.evaluate(async ({ review, day }) => {
    const input = {
      id: crypto.randomUUID(), title: 'Chief executive catch-up', day, start: '17:30', end: '18:00',
      place: 'Chief executive\'s office', online: false, kind: 'team_meeting', groups: '',
      identifying: '', pairs: [], version: 0, outside_confirmed: false,
    };
    const response = await fetch('/api/save_session', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ review, input }),
    });
    return response.status;
  }, { review, day });
  assert.equal(status, 200);
  await host.locator('.visit-session', { hasText: 'Chief executive catch-up' }).waitFor();
  assert.equal(await form.getByLabel('Title').inputValue(), TITLE, 'the form kept its title');
  assert.equal(await form.getByLabel('Place').inputValue(), 'Civic Centre, Room 9');
  await form.getByRole('button', { name: 'Add the session' }).click();
  // An end before the start is explained next to the field, and nothing is lost.
  await form.getByText('The session ends before it starts.').waitFor();
  await form.getByLabel('Ends (HH:MM)').fill('17:00');
  await form.getByRole('button', { name: 'Add the session' }).click();
  await form.waitFor({ state: 'detached' });

  // The peer's own list has it without a reload, with the count of notes from it.
  await peer.locator('.my-sessions', { hasText: TITLE }).waitFor();
  const card = peer.locator('.visit-session', { hasText: TITLE });
  await card.getByText('No notes yet').waitFor();
  await host.locator('.visit-session', { hasText: TITLE }).waitFor();
  await host.screenshot({ path: screenshotPath('timetable-streams.png'), fullPage: true });
  // The host sees pairs by number only, and no notes counts.
  assert.equal(await host.locator('.stream h3', { hasText: 'Helen Marsh' }).count(), 0);
  assert.equal(await host.locator('.session-notes').count(), 0);

  // On the wall, "heard at" suggests the timetable's sessions; typing one's title ties the note
  // to it and fills in its first stakeholder group.
  await peer.goto(peer.url().replace(/\/timetable$/, '/wall'));
  await waitForHydration(peer);
  await peer.locator('.wall-status[data-status="live"]').waitFor();
  await peer.locator(`#note-source-known option[value="${TITLE}"][data-session]`).waitFor({ state: 'attached' });
  // A note from the Leader's interview (one named person) is flagged as identifying.
  await peer.locator('li.note', { hasText: "Residents' survey results" }).getByText('Identifying: Leader').waitFor();
  assert.equal(await peer.locator('li.note', { hasText: 'Staff survey response' }).getByText(/Identifying/).count(), 0);
  // The note form opens when its box is used.
  await peer.getByLabel('Note', { exact: true }).click();
  await peer.locator('#note-source').fill(TITLE);
  assert.equal(await peer.locator('#note-stakeholder').inputValue(), 'Senior officers', 'its first group is filled in');
  await peer.getByLabel('Note', { exact: true }).fill('The housing board has no resident voice.');
  await peer.getByRole('button', { name: 'Add note' }).click();
  const note = peer.locator('li.note', { hasText: 'The housing board has no resident voice.' });
  await note.getByText(TITLE).waitFor();

  // Back on the timetable, the session has its note.
  await peer.goto(peer.url().replace(/\/wall$/, '/timetable'));
  await peer.locator('.visit-session', { hasText: TITLE }).getByText('1 note').waitFor();
  assert.equal(await peer.locator('.uncovered li', { hasText: TITLE }).count(), 0);
  for (const page of [host, peer]) assert.deepEqual(page.problems, []);
});
