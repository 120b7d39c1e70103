// The findings wall with two reviewers in two browsers: notes appear live, drags (mouse and
// keyboard) move them for both, and notes written offline are delivered when the connection returns.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { audit } from './support/accessibility.mjs';
import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { REVIEW, openWall as openWallAs } from './support/wall-page.mjs';
import { signIn as signInAt } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();

const openWall = (email) => openWallAs(fixture, email);

const column = (page, name) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
const note = (page, text) => page.locator('li.note', { hasText: text });

async function addNote(page, text, under = 'Unsorted') {
  await page.getByLabel('Note', { exact: true }).fill(text);
  await page.getByLabel('Kind', { exact: true }).first().selectOption({ label: 'Area for improvement' });
  await page.getByLabel('Heard at').first().fill('Scrutiny chairs interview');
  await page.getByLabel('Put it under').selectOption({ label: under });
  await page.getByRole('button', { name: 'Add note' }).click();
}

test('two reviewers see each other\'s notes, drags and keyboard moves live', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  // Each sees the other on the wall.
  await helen.locator('.presence').getByText('Gareth Lloyd').waitFor();

  // A note typed in one window appears in the other within a second or so.
  const text = 'Cabinet members could not name the three council plan priorities.';
  const started = Date.now();
  await addNote(helen, text);
  await note(gareth, text).waitFor({ timeout: 5000 });
  const took = Date.now() - started;
  assert.ok(took < 3000, `the note took ${took} ms to arrive`);
  await note(helen, text).getByText('Not yet saved').waitFor({ state: 'detached' });
  assert.match(await note(gareth, text).innerText(), /AREA FOR IMPROVEMENT/i);
  assert.match(await note(gareth, text).innerText(), /Pair 1/);
  await gareth.screenshot({ path: screenshotPath('wall.png'), clip: { x: 0, y: 0, width: 1600, height: 1100 } });

  // A mouse drag in Gareth's window moves it for Helen.
  await note(gareth, text).dragTo(column(gareth, 'Governance and culture').locator('ol.notes'));
  await column(helen, 'Governance and culture').locator('li.note', { hasText: text }).waitFor();

  // The keyboard: pick up with Space, two columns left, drop with Space.
  const card = note(helen, text);
  await card.focus();
  await helen.keyboard.press('Space');
  await helen.getByRole('status').filter({ hasText: 'Picked up' }).waitFor({ state: 'attached' });
  // The other reviewer sees who is moving the note.
  await note(gareth, text).getByText('Helen Marsh is moving this').waitFor();
  // The carried card is marked, and where it would land is shown: before the note at that
  // position, or by the marker at the column's end.
  await card.and(helen.locator('.note-carried')).waitFor();
  await helen.keyboard.press('ArrowLeft');
  const step = helen.getByText(/Organisational and place leadership, position \d+ of \d+/);
  await step.waitFor({ state: 'attached' });
  const [, at, of] = (await step.textContent()).match(/position (\d+) of (\d+)/).map(Number);
  const target = column(helen, 'Organisational and place leadership');
  if (at < of) {
    await target.locator('li.note').nth(at - 1).and(helen.locator('.drop-before')).waitFor();
    assert.equal(await target.locator('li.drop-marker').count(), 0);
  } else {
    await target.locator('li.drop-marker').waitFor({ state: 'attached' });
    assert.equal(await target.locator('.drop-before').count(), 0);
  }
  assert.equal(await helen.locator('.drop-before, li.drop-marker').count(), 1);
  await helen.keyboard.press('ArrowLeft');
  await helen.keyboard.press('Space');
  await helen.getByText('Dropped in Local priorities and outcomes.').waitFor({ state: 'attached' });
  // Put down, nothing is marked any more, here or for the other reviewer.
  await helen.locator('.note-carried, .drop-before, li.drop-marker').first().waitFor({ state: 'detached' });
  await note(gareth, text).getByText('Helen Marsh is moving this').waitFor({ state: 'detached' });
  await column(gareth, 'Local priorities and outcomes').locator('li.note', { hasText: text }).waitFor();
  // Focus stays on the moved note.
  assert.equal(await helen.evaluate(() => document.activeElement?.classList.contains('note')), true);

  // Delete and undo.
  await note(helen, text).getByRole('button', { name: 'Delete this note' }).click();
  await note(gareth, text).waitFor({ state: 'detached' });
  await helen.getByRole('button', { name: 'Undo' }).click();
  await note(gareth, text).waitFor();

  for (const page of [helen, gareth]) assert.deepEqual(page.problems, []);
});

test('markup written in a note is shown as its text, never run, on every wall', async () => {
  // The cards are built by hand against the DOM: what a reviewer types must only ever become text.
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  const text = 'Officers said <img src=x onerror="window.pwned=1"> and <b>nothing else</b>.';
  await addNote(helen, text);
  for (const page of [helen, gareth]) {
    const card = note(page, 'Officers said <img');
    await card.waitFor();
    assert.equal(await card.locator('.note-text').textContent(), text);
    assert.equal(await card.locator('img, b').count(), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }
});

test('a note written offline is kept, shown as not yet saved, and delivered on reconnection', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  const text = 'Written while the hotel Wi-Fi was down.';
  // Cut Helen's connection: network offline and the socket dropped.
  await helen.context().setOffline(true);
  await helen.evaluate(() => window.dispatchEvent(new Event('offline')));
  await helen.locator('.wall-status[data-status="offline"], .wall-status[data-status="connecting"]').waitFor({ timeout: 20_000 }).catch(() => {});
  await addNote(helen, text);
  await note(helen, text).getByText('Not yet saved').waitFor();
  await helen.getByText(/change not yet saved/).waitFor();
  // It survives a reload while offline? (Kept in browser storage: checked after reconnecting.)
  await helen.context().setOffline(false);
  await note(gareth, text).waitFor({ timeout: 20_000 });
  await note(helen, text).getByText('Not yet saved').waitFor({ state: 'detached', timeout: 20_000 });
  assert.deepEqual(gareth.problems, []);
});

test('a note dragged by touch, with its grip, moves for everyone', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  const text = 'Residents\' survey results';
  const grip = note(helen, text).locator('.drag-handle');
  const from = await grip.boundingBox();
  const to = await column(helen, 'Capacity for improvement').locator('h2').boundingBox();
  const touch = (x, y) => ({ pointerType: 'touch', pointerId: 11, isPrimary: true, clientX: x, clientY: y, bubbles: true });
  await grip.dispatchEvent('pointerdown', touch(from.x + 4, from.y + 4));
  await grip.dispatchEvent('pointermove', touch(to.x + 10, to.y + 40));
  await column(helen, 'Capacity for improvement').and(helen.locator('.drop-into')).waitFor();
  // Both walls as they are mid-drag: the dragger's drop target, the other's "is moving this".
  await note(gareth, text).getByText('Helen Marsh is moving this').waitFor();
  await audit(helen, 'wall: a note being dragged by touch');
  await audit(gareth, 'wall: another reviewer dragging a note');
  await grip.dispatchEvent('pointerup', touch(to.x + 10, to.y + 40));
  await column(gareth, 'Capacity for improvement').locator('li.note', { hasText: text }).waitFor();
  assert.equal(await column(gareth, 'Local priorities and outcomes').locator('li.note', { hasText: text }).count(), 0);
});

test('filters narrow what is shown without changing the notes', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  const before = await helen.locator('li.note').count();
  await helen.getByLabel('Kind', { exact: true }).nth(1).selectOption({ label: 'Question' });
  await helen.locator('li.note').first().waitFor();
  const questions = await helen.locator('li.note').allInnerTexts();
  assert.ok(questions.length > 0 && questions.length < before);
  for (const text of questions) assert.match(text, /QUESTION/);
  await helen.getByLabel('Kind', { exact: true }).nth(1).selectOption({ label: 'All' });
  await helen.getByLabel('Search').fill('flooding');
  await helen.waitForFunction(() => document.querySelectorAll('li.note').length === 1);
  await helen.getByLabel('Search').fill('');
  await helen.waitForFunction((n) => document.querySelectorAll('li.note').length === n, before);
});

test('a change queued while the wall cannot be reached survives a reload and is sent later', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  // From now on Helen's browser cannot reach the wall's socket until we let it.
  let blocked = true;
  await helen.routeWebSocket(/\/ws\/reviews\//, (socket) => {
    if (blocked) socket.close();
    else socket.connectToServer();
  });
  await helen.evaluate(() => window.dispatchEvent(new Event('offline')));
  await helen.locator('.wall-status[data-status="offline"]').waitFor();
  const text = 'Queued before a reload.';
  await addNote(helen, text);
  await note(helen, text).getByText('Not yet saved').waitFor();
  const queued = await helen.evaluate(() => Object.entries(localStorage)
    .filter(([key]) => key.endsWith('.pending')).map(([, value]) => value).join(''));
  assert.match(queued, /Queued before a reload/);

  // A reload while the wall is still out of reach keeps the queue…
  await helen.reload();
  await waitForHydration(helen);
  await helen.getByText(/1 change not yet saved/).waitFor();
  // …and sends it once the wall can be reached again.
  blocked = false;
  await helen.evaluate(() => window.dispatchEvent(new Event('online')));
  await note(gareth, text).waitFor({ timeout: 20_000 });
  await note(helen, text).waitFor({ timeout: 20_000 });
  await note(helen, text).getByText('Not yet saved').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await helen.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith('.pending')).length), 0);
});

test('signing out leaves no unsent note in the browser\'s storage', async () => {
  const helen = await openWall('peer1@demo.peerwall.test');
  await helen.routeWebSocket(/\/ws\/reviews\//, (socket) => socket.close());
  await helen.evaluate(() => window.dispatchEvent(new Event('offline')));
  await helen.locator('.wall-status[data-status="offline"]').waitFor();
  const text = 'Unsent when she signed out.';
  await addNote(helen, text);
  await note(helen, text).getByText('Not yet saved').waitFor();
  const stored = () => helen.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('peerwall.')).length);
  assert.equal(await stored(), 1);
  await helen.getByRole('button', { name: 'Sign out' }).click();
  await helen.getByRole('link', { name: 'Sign in' }).first().waitFor();
  assert.equal(await stored(), 0, 'nothing she wrote stays on this computer');
});

test('the team lead adds, renames, moves and archives a heading, and its notes go to Unsorted', async () => {
  const lead = await openWall('lead@demo.peerwall.test');
  const peer = await openWall('peer3@demo.peerwall.test');
  await lead.getByLabel('New heading').fill('Climate');
  await lead.getByRole('button', { name: 'Add heading' }).click();
  await column(peer, 'Climate').waitFor();
  // The heading that was last can now move right; the new last one cannot.
  const housing = 'Area of focus: housing and homelessness';
  assert.equal(await lead.getByRole('button', { name: `Move ${housing} right` }).isEnabled(), true);
  assert.equal(await lead.getByRole('button', { name: 'Move Climate right' }).isDisabled(), true);
  // Peers do not get the heading tools.
  assert.equal(await peer.getByRole('button', { name: 'Archive Climate' }).count(), 0);

  await lead.getByRole('button', { name: 'Rename Climate' }).click();
  await lead.getByLabel('New title').fill('Climate and nature');
  await lead.getByRole('button', { name: 'Save', exact: true }).click();
  await column(peer, 'Climate and nature').waitFor();

  const titles = (page) => page.locator('section.wall-column h2').allInnerTexts();
  const before = await titles(peer);
  assert.equal(before.at(-1), 'Climate and nature');
  await lead.getByRole('button', { name: 'Move Climate and nature left' }).click();
  await peer.waitForFunction(() => {
    const all = [...document.querySelectorAll('section.wall-column h2')].map((h) => h.textContent);
    return all.at(-2) === 'Climate and nature';
  });

  const text = 'Net zero target has no costed delivery plan.';
  await addNote(lead, text, 'Climate and nature');
  await column(peer, 'Climate and nature').locator('li.note', { hasText: text }).waitFor();
  await lead.getByRole('button', { name: 'Archive Climate and nature' }).click();
  await lead.getByRole('alert').getByRole('button', { name: 'Archive', exact: true }).click();
  await column(peer, 'Climate and nature').waitFor({ state: 'detached' });
  await column(peer, 'Unsorted').locator('li.note', { hasText: text }).waitFor();
  assert.deepEqual(peer.problems, []);
  assert.deepEqual(lead.problems, []);
});

test('host roles are told the wall is not theirs', async () => {
  const host = await openPage(fixture.browser);
  await signInAt(host, fixture.server.url, 'host@demo.peerwall.test');
  await host.goto(`${fixture.server.url}/`);
  await host.getByRole('link', { name: REVIEW }).click();
  await host.getByRole('heading', { name: REVIEW }).waitFor();
  assert.equal(await host.getByRole('link', { name: 'Open the findings wall' }).count(), 0);
  const url = host.url().replace(/\/?$/, '/wall');
  await host.goto(url);
  await host.getByRole('heading', { name: 'The findings wall is not available' }).waitFor();
  assert.equal(await host.locator('li.note').count(), 0);
});

test('a long column is all there: notes past the first screenful arrive, and the last one can be edited and deleted', async () => {
  const page = await openWall('peer1@demo.peerwall.test');
  const review = page.url().match(/reviews\/([^/]+)\/wall/)[1];
  const count = 50;
  // Fifty notes straight through the wall's socket, as a busy afternoon's browsers send them.
  await page.evaluate(async ({ review, count }) => {
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/ws/reviews/${review}/wall`);
    await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
    let acked = 0;
    const done = new Promise((resolve, reject) => {
      socket.onmessage = (message) => {
        const frame = JSON.parse(message.data);
        if (frame.type === 'rejected') reject(new Error(JSON.stringify(frame)));
        if (frame.type === 'ack' && ++acked === count) resolve();
      };
    });
    socket.send(JSON.stringify({ type: 'hello', protocol: 1 }));
    for (let i = 1; i <= count; i++) {
      socket.send(JSON.stringify({
        type: 'command',
        op: crypto.randomUUID(),
        command: { type: 'create_note', note: crypto.randomUUID(), heading: null, fields: { text: `Long column note ${i}.`, kind: 'strength' } },
      }));
    }
    await done;
    socket.close();
  }, { review, count });
  const unsorted = column(page, 'Unsorted');
  await unsorted.locator('li.note', { hasText: `Long column note ${count}.` }).waitFor();

  // Opened afresh, the wall puts the first screenful up at once and the rest after it.
  await page.reload();
  await page.locator('.wall-status[data-status="live"]').waitFor();
  const total = Number((await unsorted.locator('.column-count').first().innerText()).match(/\d+/)[0]);
  assert.ok(total >= count + 1, `Unsorted says ${total} notes`);
  await page.waitForFunction(
    (n) => document.querySelector('section.wall-column[data-column="0"]').querySelectorAll('li.note').length === n,
    total,
  );
  const last = unsorted.locator('li.note', { hasText: `Long column note ${count}.` });
  await last.getByRole('button', { name: 'Edit this note' }).click();
  await page.getByLabel('Note text').fill(`Long column note ${count}, edited.`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const edited = unsorted.locator('li.note', { hasText: `Long column note ${count}, edited.` });
  await edited.getByText('Not yet saved').waitFor({ state: 'detached' });
  await edited.getByRole('button', { name: 'Delete this note' }).click();
  await edited.waitFor({ state: 'detached' });
  await page.waitForFunction(
    (n) => document.querySelector('section.wall-column[data-column="0"]').querySelectorAll('li.note').length === n,
    total - 1,
  );
  // Space on a card's own button presses the button; it does not pick the note up.
  const first = unsorted.locator('li.note').first();
  const firstText = await first.locator('.note-text').textContent();
  await first.getByRole('button', { name: 'Edit this note' }).focus();
  await page.keyboard.press('Space');
  await page.getByLabel('Note text').waitFor();
  assert.equal(await page.getByRole('status').filter({ hasText: 'Picked up' }).count(), 0);
  // The box opens with the note's text and the focus; Cancel puts the text back, unchanged, and
  // the focus on the card.
  const box = page.getByLabel('Note text');
  assert.equal(await box.inputValue(), firstText);
  await page.waitForFunction(() => document.activeElement?.matches('form.note-edit textarea'));
  await box.fill('An edit that is cancelled.');
  await first.getByRole('button', { name: 'Cancel' }).click();
  await box.waitFor({ state: 'detached' });
  assert.equal(await first.locator('.note-text').textContent(), firstText);
  await page.waitForFunction(() => document.activeElement?.matches('li.note'));
  assert.equal(await first.evaluate((card) => card === document.activeElement), true);
  assert.deepEqual(page.problems, []);
});

test('leaving the wall by the page\'s own links closes it, and coming back builds it again', async () => {
  // The browser builds the wall into the page rather than hydrating it: leaving must take it
  // down (its socket too) and coming back must build a fresh one, without a page load.
  const helen = await openWall('peer1@demo.peerwall.test');
  const gareth = await openWall('peer2@demo.peerwall.test');
  await helen.locator('.presence').getByText('Gareth Lloyd').waitFor();
  await gareth.evaluate(() => { window.sameDocument = true; });

  await gareth.locator('.wall-header .review-type a').click();
  await gareth.getByRole('link', { name: 'Open the findings wall' }).waitFor();
  assert.equal(await gareth.locator('.wall-page').count(), 0);
  await helen.locator('.presence').getByText('Gareth Lloyd').waitFor({ state: 'detached' });

  const text = 'Partners said the council listens but rarely says what changed.';
  await addNote(helen, text);
  await note(helen, text).getByText('Not yet saved').waitFor({ state: 'detached' });
  await gareth.getByRole('link', { name: 'Open the findings wall' }).click();
  await gareth.locator('.wall-status[data-status="live"]').waitFor();
  await note(gareth, text).waitFor();
  assert.equal(await gareth.locator('.wall-page').count(), 1);
  assert.equal(await gareth.getByRole('heading', { name: 'Findings wall' }).count(), 1);
  await helen.locator('.presence').getByText('Gareth Lloyd').waitFor();
  assert.equal(await gareth.evaluate(() => window.sameDocument), true, 'the app reloaded the page');
  assert.deepEqual(gareth.problems, []);
});
