// The whole way in: an administrator invites a facilitator, who sets up an LGA review and invites
// a peer and a host lead; each signs in and sees only what their role allows.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn as signInAt } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();
const signIn = (page, email) => signInAt(page, fixture.server.url, email);
const REVIEW = 'Northshire County Council Corporate Peer Challenge';

/// Opens an invitation link in a fresh browser, accepts it with a new account, and returns the page.
async function acceptInvitation(link, name) {
  const page = await openPage(fixture.browser);
  await page.goto(link);
  await waitForHydration(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Choose a password').fill('a long enough password');
  await page.getByRole('button', { name: 'Accept and sign in' }).click();
  await page.getByRole('banner').getByText(name).waitFor();
  return page;
}

/// The facilitator's invitation form on the review page; returns the link.
async function invite(page, email, role) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: role });
  await page.getByRole('button', { name: 'Create invitation link' }).click();
  const field = page.getByLabel('Invitation link');
  await page.getByText(`Send this link to ${email}`).waitFor();
  return field.inputValue();
}

test('an administrator invites a facilitator who sets up a review and its team', async () => {
  // The administrator.
  const admin = await openPage(fixture.browser);
  await signIn(admin, 'admin@demo.peerwall.test');
  await admin.getByRole('link', { name: 'Administration' }).click();
  await admin.getByRole('heading', { name: 'Invite a facilitator' }).waitFor();
  await waitForHydration(admin);
  await admin.getByLabel("Facilitator's email").fill('morag.reid@lga.gov.uk');
  await admin.getByRole('button', { name: 'Create facilitator invitation' }).click();
  const facilitatorLink = await admin.getByLabel('Facilitator invitation link').inputValue();
  assert.match(facilitatorLink, /\/invitations\/[A-Za-z0-9_-]{43}$/);
  // The administrator's audit trail across reviews records it.
  await admin.reload();
  await waitForHydration(admin);
  await admin.getByRole('region', { name: 'Audit trail, all reviews' })
    .getByRole('row').filter({ hasText: 'facilitator invited' }).waitFor();
  await admin.screenshot({ path: screenshotPath('admin.png'), fullPage: true });

  // The facilitator opens an account and sets up an LGA review.
  const facilitator = await openPage(fixture.browser);
  await facilitator.goto(facilitatorLink);
  await waitForHydration(facilitator);
  await facilitator.getByText('facilitator account').first().waitFor();
  await facilitator.getByLabel('Your name').fill('Morag Reid');
  await facilitator.getByLabel('Choose a password').fill('a long enough password');
  await facilitator.getByRole('button', { name: 'Accept and sign in' }).click();
  await facilitator.getByRole('link', { name: 'Set up a review' }).click();
  await facilitator.getByRole('heading', { name: 'Set up a peer challenge' }).waitFor();
  await waitForHydration(facilitator);

  // A mistake is tied to its field, and nothing is lost from the form.
  await facilitator.getByLabel('Host council').fill('Northshire County Council');
  await facilitator.getByLabel('First day on site').fill('2027-03-09');
  await facilitator.getByLabel('Last day on site').fill('2027-03-08');
  await facilitator.getByRole('button', { name: 'Create the review' }).click();
  const lastDay = facilitator.getByLabel('Last day on site');
  await facilitator.getByText('cannot be before the first').waitFor();
  assert.equal(await lastDay.getAttribute('aria-invalid'), 'true');
  assert.match(await lastDay.getAttribute('aria-describedby'), /on_site_end-error/);
  assert.equal(await facilitator.getByLabel('Host council').inputValue(), 'Northshire County Council');

  await lastDay.fill('2027-03-12');
  await facilitator.getByLabel('Scope').fill('The five core components, and adult social care.');
  await facilitator.getByLabel(/Additional areas of focus/).fill('Adult social care');
  await facilitator.screenshot({ path: screenshotPath('new-review.png'), fullPage: true });
  await facilitator.getByRole('button', { name: 'Create the review' }).click();
  await facilitator.waitForURL(/\/reviews\/[0-9a-f-]{36}$/);
  await facilitator.getByRole('heading', { name: REVIEW }).waitFor();
  await facilitator.getByText('you are facilitator').waitFor();
  await facilitator.getByRole('heading', { name: 'Invite someone' }).waitFor();
  await waitForHydration(facilitator);

  const peerLink = await invite(facilitator, 'dev.patel@westmoor.gov.uk', 'Peer reviewer');
  const hostLink = await invite(facilitator, 'chief.exec@northshire.gov.uk', 'Host lead');

  // The peer joins and sees the peer team's view, without the facilitator's controls.
  const peer = await acceptInvitation(peerLink, 'Dev Patel');
  await peer.waitForURL(/\/reviews\//);
  await peer.getByRole('heading', { name: REVIEW }).waitFor();
  await peer.getByRole('columnheader', { name: 'Pair' }).waitFor();
  assert.equal(await peer.getByRole('heading', { name: 'Invite someone' }).count(), 0);
  assert.equal(await peer.getByRole('heading', { name: 'Audit trail' }).count(), 0);

  // The facilitator puts the peer in pair 1.
  await facilitator.reload();
  await waitForHydration(facilitator);
  await facilitator.getByLabel('Pair of Dev Patel').fill('1');
  await facilitator.getByRole('button', { name: 'Save changes to Dev Patel' }).click();
  const audit = facilitator.getByRole('region', { name: 'Audit trail' });
  await audit.getByRole('row').filter({ hasText: 'pair changed' }).waitFor();
  await facilitator.screenshot({ path: screenshotPath('members-facilitator.png'), fullPage: true });

  // The host lead joins and sees the review, but no pairs and none of the team's controls.
  const host = await acceptInvitation(hostLink, 'Chris Exec');
  await host.waitForURL(/\/reviews\//);
  await host.getByRole('heading', { name: REVIEW }).waitFor();
  await host.getByRole('cell', { name: 'Dev Patel' }).waitFor();
  assert.equal(await host.getByRole('columnheader', { name: 'Pair' }).count(), 0);
  assert.doesNotMatch(await host.locator('main').innerText(), /Pair 1/);
  assert.equal(await host.getByRole('heading', { name: 'Invite someone' }).count(), 0);
  assert.equal(await host.getByRole('link', { name: 'Set up a review' }).count(), 0);

  // The peer, reloading, sees the pair.
  await peer.reload();
  await peer.getByRole('cell', { name: 'Pair 1' }).waitFor();

  for (const page of [admin, facilitator, peer, host]) assert.deepEqual(page.problems, []);
});
