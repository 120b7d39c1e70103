// The feedback report in three browsers: the facilitator drafts it from the wall and edits it
// while a peer comments live in a second window; the draft is sent; the host lead, in a third,
// selects a sentence, comments and suggests a change; the facilitator accepts the suggestion
// and sends the final version, which the host sees and signs off; the Word document is
// downloaded and read back.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { readZipEntry } from './support/docx.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();
const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';

async function openReport(email, viewport = { width: 1400, height: 1000 }) {
  const page = await openPage(fixture.browser, { viewport, acceptDownloads: true });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Feedback report' }).click();
  await page.getByRole('heading', { name: /^Feedback report:/ }).waitFor();
  return page;
}

const block = (page, text) => page.locator('.report-block', { hasText: text });

/// Selects `words` inside the block that contains them, as a mouse would, and lets go.
async function select(page, words) {
  const body = block(page, words).locator('.block-body');
  await body.waitFor();
  await body.evaluate((element, words) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent.indexOf(words);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + words.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        break;
      }
    }
    element.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
  }, words);
}

/// Drafts the report from the wall unless it is drafted already.
async function drafted(page) {
  const draft = page.getByRole('button', { name: 'Draft the report from the wall' });
  await draft.or(page.locator('.report-block').first()).waitFor();
  if (await draft.count()) await draft.click();
  await block(page, 'Executive summary').waitFor();
}

/// The last block of the draft (the paragraph under "Next steps").
const lastBlock = (page) => page.locator('.report-block').last();

test('two authors rewriting one block: the second is told and chooses, and nothing is lost', async () => {
  const facilitator = await openReport('facilitator@demo.peerwall.test');
  await drafted(facilitator);
  const lead = await openReport('lead@demo.peerwall.test');
  await block(lead, 'Executive summary').waitFor();
  // Both open the same block; the lead sees who else is in it.
  await lastBlock(facilitator).getByRole('button', { name: 'Edit' }).click();
  await lastBlock(lead).getByText('Priya Shah is editing').waitFor();
  await lastBlock(lead).getByRole('button', { name: 'Edit' }).click();
  await facilitator.locator('textarea.block-text').fill('The council will publish an action plan within three months.');
  await facilitator.getByRole('button', { name: 'Done' }).click();
  // Saved (the server has it) before the lead saves.
  await block(facilitator, 'publish an action plan within three months').waitFor();
  await facilitator.locator('.report-block.unsaved').waitFor({ state: 'detached' });
  // The lead, still writing from the older text, saves: refused, and asked to choose.
  await lead.locator('textarea.block-text').fill('Next steps are agreed with the chief executive.');
  await lead.getByRole('button', { name: 'Done' }).click();
  const conflict = lead.locator('.report-conflict');
  await conflict.waitFor();
  assert.match(await conflict.innerText(), /publish an action plan within three months/);
  assert.match(await conflict.innerText(), /Next steps are agreed with the chief executive/);
  await conflict.getByRole('button', { name: 'Use mine' }).click();
  await block(facilitator, 'Next steps are agreed with the chief executive.').waitFor();
  await conflict.waitFor({ state: 'detached' });
  // A delete is undone as easily.
  await lastBlock(facilitator).hover();
  await lastBlock(facilitator).getByRole('button', { name: 'Delete' }).click();
  await block(lead, 'Next steps are agreed').waitFor({ state: 'detached' });
  await facilitator.locator('.report-toast').getByRole('button', { name: 'Undo' }).click();
  await block(lead, 'Next steps are agreed').waitFor();
  for (const page of [facilitator, lead]) assert.deepEqual(page.problems, []);
});

test('an edit made while the report cannot be reached survives a reload and is saved later', async () => {
  const lead = await openReport('lead@demo.peerwall.test');
  await drafted(lead);
  const peer = await openReport('peer2@demo.peerwall.test');
  await block(peer, 'Executive summary').waitFor();
  let blocked = true;
  await lead.routeWebSocket(/\/ws\/reviews\//, (socket) => {
    if (blocked) socket.close();
    else socket.connectToServer();
  });
  await lead.reload();
  await waitForHydration(lead);
  await block(lead, 'Executive summary').waitFor();
  await lead.getByText('reconnecting').waitFor();
  const text = 'Written on the train, with no signal.';
  await lastBlock(lead).getByRole('button', { name: 'Edit' }).click();
  await lead.locator('textarea.block-text').fill(text);
  await lead.getByRole('button', { name: 'Done' }).click();
  await lead.getByText('1 change not yet saved').waitFor();
  // A reload while still out of reach keeps it, shown in its place…
  await lead.reload();
  await waitForHydration(lead);
  await block(lead, text).waitFor();
  await lead.getByText('1 change not yet saved').waitFor();
  // …and it is saved once the report can be reached again.
  blocked = false;
  await block(peer, text).waitFor({ timeout: 20_000 });
  await lead.getByText('1 change not yet saved').waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await lead.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('peerwall.report.')).length), 0);
});

test('the report goes from the wall to the council and is signed off', async () => {
  const facilitator = await openReport('facilitator@demo.peerwall.test');
  await drafted(facilitator);
  await facilitator.getByRole('heading', { name: 'Key recommendations' }).waitFor();

  // A peer opens it too; only the authors edit.
  const peer = await openReport('peer1@demo.peerwall.test');
  await block(peer, 'Executive summary').waitFor();
  assert.equal(await peer.getByRole('button', { name: 'Edit' }).count(), 0);

  // The facilitator writes the executive summary; the peer sees it live.
  const summary = 'Eastbrook is an ambitious council with a clear vision for the place and strong partnerships.';
  await facilitator.locator('.report-block').nth(1).getByRole('button', { name: 'Edit' }).click();
  await facilitator.locator('textarea.block-text').fill(summary);
  await facilitator.getByRole('button', { name: 'Done' }).click();
  await block(peer, summary).waitFor();
  // A recommendation added under "Key recommendations" is numbered.
  const recommendation = 'Agree a medium-term financial strategy that closes the budget gap.';
  await block(facilitator, 'Key recommendations').getByRole('button', { name: 'Add below' }).click();
  await facilitator.getByLabel('Kind').selectOption({ label: 'Recommendation' });
  await facilitator.locator('textarea.block-text').fill(recommendation);
  await facilitator.getByRole('button', { name: 'Done' }).click();
  await block(peer, recommendation).locator('.rec-number', { hasText: '1.' }).waitFor();

  // The peers are asked; the peer selects words and comments; the facilitator sees it at once.
  await facilitator.getByRole('button', { name: 'Ask the peers for comments' }).click();
  await peer.getByText('Round: Peer comments').waitFor();
  await select(peer, 'strong partnerships');
  await peer.getByLabel('Your comment').fill('Name one partnership: the health and care board.');
  await peer.getByRole('button', { name: 'Add the comment' }).click();
  const peerThread = facilitator.locator('.thread', { hasText: 'Name one partnership' });
  await peerThread.waitFor();
  assert.match(await peerThread.innerText(), /Helen Marsh/);
  await peerThread.getByRole('button', { name: 'Resolve' }).click();
  await peer.locator('.thread.resolved', { hasText: 'Name one partnership' }).waitFor();

  // The host lead sees nothing of the team draft before it is sent.
  const host = await openReport('host@demo.peerwall.test');
  await host.getByText('has not sent the report to the council yet').waitFor();
  assert.equal(await host.locator('.report-block').count(), 0);

  // Checked for attribution, then version 1 goes to the council.
  await facilitator.getByRole('button', { name: 'Check and send version 1 to the council' }).click();
  const guard = facilitator.getByRole('region', { name: 'Non-attribution check' });
  await guard.getByRole('button', { name: /Send version 1/ }).waitFor();
  for (;;) {
    const confirm = guard.getByRole('button', { name: 'Confirm it may stay' });
    if (await confirm.count() === 0) break;
    await confirm.first().click();
    await facilitator.waitForTimeout(200);
  }
  await guard.getByRole('button', { name: 'Send version 1 to the council' }).click();
  await host.getByText(/^Version 1, sent by Priya Shah/).waitFor();
  await block(host, summary).waitFor();

  // The host selects a sentence, comments and suggests a change, flagged as factual.
  await select(host, 'a clear vision');
  await host.getByLabel('Your comment').fill('The vision was agreed with partners in 2025.');
  await host.getByLabel('Suggest new words').check();
  await host.getByLabel('Replace with').fill('a clear, shared vision');
  await host.getByLabel('This is a point of factual accuracy').check();
  await host.screenshot({ path: screenshotPath('report-host-commenting.png') });
  await host.getByRole('button', { name: 'Add the comment' }).click();
  await host.getByText('Round: Council comments').waitFor();
  const councilThread = facilitator.locator('.thread.council', { hasText: 'agreed with partners' });
  await councilThread.waitFor();
  assert.match(await councilThread.innerText(), /Factual accuracy/);
  await facilitator.screenshot({ path: screenshotPath('report-author-comments.png') });

  // The facilitator accepts it in one click; the draft changes.
  await councilThread.getByRole('button', { name: 'Accept the suggestion' }).click();
  const accepted = summary.replace('a clear vision', 'a clear, shared vision');
  await block(facilitator, accepted).waitFor();
  await host.locator('.thread', { hasText: 'agreed with partners' }).getByText(/Accepted by Priya Shah/).waitFor();

  // Comments close; the final version goes; the host sees the new words and signs it off.
  await facilitator.getByRole('button', { name: 'Close the council’s comments' }).click();
  await facilitator.getByRole('button', { name: 'Check and send the final version (2)' }).click();
  await guard.getByRole('button', { name: 'Send the final version (2) for sign-off' }).click();
  await block(host, accepted).waitFor();
  await host.getByLabel('To sign off, type the version number (2)').fill('2');
  await host.getByRole('button', { name: 'Sign off version 2' }).click();
  await host.getByText(/^Signed off: version 2 by Sam Whitfield/).waitFor();
  await facilitator.getByText(/^Signed off: version 2 by Sam Whitfield/).waitFor();
  assert.equal(await facilitator.getByRole('button', { name: 'Edit' }).count(), 0, 'nothing changes after sign-off');

  // The council's Word document: real headings, numbered recommendations, no names of the team.
  const [download] = await Promise.all([
    host.waitForEvent('download'),
    host.locator('.report-round').getByRole('link', { name: 'Download (Word)' }).click(),
  ]);
  const xml = readZipEntry(readFileSync(await download.path()), 'word/document.xml');
  assert.match(xml, /w:pStyle w:val="Heading1"/);
  assert.match(xml, /Key recommendations/);
  assert.match(xml, /<w:numPr><w:numId w:val="1" \/><w:ilvl w:val="0" \/><\/w:numPr>.{0,80}medium-term financial strategy/s, 'recommendations are a numbered list');
  assert.match(xml, /a clear, shared vision/);
  for (const name of ['Helen Marsh', 'Gareth Lloyd', 'Aisha Rahman']) assert.equal(xml.includes(name), false, name);
  for (const page of [facilitator, peer, host]) assert.deepEqual(page.problems, []);
});
