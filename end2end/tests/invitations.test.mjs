import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn as signInAt } from './support/sign-in-page.mjs';

const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';

const fixture = useServerAndBrowser();
const signIn = (page, email) => signInAt(page, fixture.server.url, email);

test('the facilitator invites a peer, who accepts the link and joins the review', async () => {
  const facilitator = await openPage(fixture.browser);
  await signIn(facilitator, 'facilitator@demo.peerwall.test');
  await facilitator.getByRole('link', { name: REVIEW }).click();
  await facilitator.getByRole('heading', { name: 'Invite someone' }).waitFor();
  await waitForHydration(facilitator);

  await facilitator.getByLabel('Email').fill('jess.new@westshire.gov.uk');
  await facilitator.getByLabel('Role', { exact: true }).selectOption({ label: 'Peer reviewer' });
  await facilitator.getByRole('button', { name: 'Create invitation link' }).click();
  const linkField = facilitator.getByLabel('Invitation link');
  await linkField.waitFor();
  const link = await linkField.inputValue();
  assert.match(link, new RegExp(`^${fixture.server.url}/invitations/[A-Za-z0-9_-]{43}$`));
  await facilitator.screenshot({ path: screenshotPath('invite.png'), fullPage: true });

  // The invitee, in a browser of their own.
  const invitee = await openPage(fixture.browser);
  await invitee.goto(link);
  await waitForHydration(invitee);
  await invitee.getByText('You are invited to join').waitFor();
  assert.match(await invitee.locator('main').innerText(), /as peer reviewer/);
  await invitee.getByLabel('Your name').fill('Jess New');
  await invitee.getByLabel('Choose a password').fill('a long enough password');
  await invitee.screenshot({ path: screenshotPath('invitation.png') });
  await invitee.getByRole('button', { name: 'Accept and sign in' }).click();

  await invitee.waitForURL(/\/reviews\//);
  await invitee.getByRole('banner').getByText('Jess New').waitFor();
  await invitee.getByRole('cell', { name: 'Jess New' }).waitFor();
  await invitee.getByRole('columnheader', { name: 'Pair' }).waitFor();
  // A peer does not get the facilitator's controls.
  assert.equal(await invitee.getByRole('heading', { name: 'Invite someone' }).count(), 0);

  // The link works once.
  const latecomer = await openPage(fixture.browser);
  await latecomer.goto(link);
  await latecomer.getByText('already been used').waitFor();
  assert.deepEqual(facilitator.problems, []);
  assert.deepEqual(invitee.problems, []);
});

test('the facilitator moves the review on to the draft report', async () => {
  const facilitator = await openPage(fixture.browser);
  await signIn(facilitator, 'facilitator@demo.peerwall.test');
  await facilitator.getByRole('link', { name: REVIEW }).click();
  await facilitator.getByRole('heading', { name: 'Phase', exact: true }).waitFor();
  await waitForHydration(facilitator);
  await facilitator.getByLabel('Move the review to').selectOption({ label: 'Draft report' });
  await facilitator.getByRole('button', { name: 'Change phase' }).click();
  await facilitator.locator('.review-host .phase', { hasText: 'Draft report' }).waitFor();
  // The change is in the audit trail, with who made it.
  const audit = facilitator.getByRole('region', { name: 'Audit trail' });
  const row = audit.getByRole('row').filter({ hasText: 'phase changed' });
  await row.waitFor();
  assert.match(await row.innerText(), /Priya Shah/);
  assert.match(await row.innerText(), /on_site to draft_report/);
  await facilitator.screenshot({ path: screenshotPath('review-facilitator.png'), fullPage: true });
  assert.deepEqual(facilitator.problems, []);
});
