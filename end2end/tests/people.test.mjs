import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { DEMO_PASSWORD as PASSWORD, submitSignIn } from './support/sign-in-page.mjs';

const FACILITATOR = 'facilitator@demo.peerwall.test';

const fixture = useServerAndBrowser();
const signIn = (page, email, password) => submitSignIn(page, fixture.server.url, email, password);

test('a demo facilitator signs in, is named in the header, and signs out', async () => {
  const page = await openPage(fixture.browser);
  await signIn(page, FACILITATOR, PASSWORD);

  const header = page.getByRole('banner');
  await header.getByText('Signed in as').waitFor();
  assert.match(await header.innerText(), /Priya Shah/);
  await page.waitForURL(`${fixture.server.url}/`);

  const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'peerwall_session');
  assert.ok(cookie, 'a session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  await page.screenshot({ path: screenshotPath('signed-in.png') });

  await header.getByRole('button', { name: 'Sign out' }).click();
  await header.getByRole('link', { name: 'Sign in' }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('a wrong password is explained on the form and signs no one in', async () => {
  const page = await openPage(fixture.browser);
  await signIn(page, FACILITATOR, 'this is not it');
  const alert = page.getByRole('alert');
  await alert.getByText('The email address or password is not right.').waitFor();
  assert.equal(await page.getByText('Signed in as').count(), 0);
  await page.screenshot({ path: screenshotPath('sign-in-error.png') });
});

test('the host lead sees the team but not the pairs; a peer sees the pairs', async () => {
  const host = await openPage(fixture.browser);
  await signIn(host, 'host@demo.peerwall.test', PASSWORD);
  await host.waitForURL(`${fixture.server.url}/`);
  await host.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).click();
  const members = host.getByRole('table');
  await members.getByRole('cell', { name: 'Tom Okafor' }).waitFor();
  assert.equal(await host.getByRole('columnheader', { name: 'Pair' }).count(), 0);
  assert.doesNotMatch(await host.locator('main').innerText(), /Pair 1/);
  await host.screenshot({ path: screenshotPath('review-host-view.png'), fullPage: true });

  const peer = await openPage(fixture.browser);
  await signIn(peer, 'peer1@demo.peerwall.test', PASSWORD);
  await peer.waitForURL(`${fixture.server.url}/`);
  await peer.getByRole('link', { name: 'Eastbrook Borough Council Corporate Peer Challenge' }).click();
  await peer.getByRole('columnheader', { name: 'Pair' }).waitFor();
  assert.match(await peer.locator('main').innerText(), /Pair 1/);
  await peer.getByRole('heading', { name: 'Key dates' }).waitFor();
  await peer.screenshot({ path: screenshotPath('review-peer-view.png'), fullPage: true });
  assert.deepEqual(peer.problems, []);
});

test('a peer changes their password from the account page', async () => {
  const page = await openPage(fixture.browser);
  await signIn(page, 'peer3@demo.peerwall.test', PASSWORD);
  await page.waitForURL(`${fixture.server.url}/`);
  await page.getByRole('banner').getByRole('link', { name: 'Aisha Rahman' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
  await page.screenshot({ path: screenshotPath('account.png') });
  assert.deepEqual(page.problems, []);
});
