import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();

test('the sign-in page hydrates: "Show password" reveals what was typed', async () => {
  const page = await openPage(fixture.browser);
  await page.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(page);

  const password = page.getByLabel('Password', { exact: true });
  await password.fill('correct horse battery');
  assert.equal(await password.getAttribute('type'), 'password');

  await page.getByRole('button', { name: 'Show password' }).click();
  assert.equal(await password.getAttribute('type'), 'text');
  await page.getByRole('button', { name: 'Hide password' }).waitFor();

  await page.screenshot({ path: screenshotPath('sign-in.png') });
  assert.deepEqual(page.problems, []);
});

test('signed in, the home page shows the demo review, whose headings open on click', async () => {
  const page = await openPage(fixture.browser);
  await signIn(page, fixture.server.url, 'facilitator@demo.peerwall.test');

  const card = page.getByRole('article', { name: 'Eastbrook Borough Council Corporate Peer Challenge' });
  await card.waitFor();
  assert.match(await card.innerText(), /On site/);

  const headings = card.getByRole('listitem').filter({ hasText: 'Governance and culture' });
  assert.equal(await headings.isVisible(), false);
  await card.getByRole('button', { name: /Show headings/ }).click();
  await headings.waitFor({ state: 'visible' });

  await page.screenshot({ path: screenshotPath('home.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
});

test('navigating between pages happens in the browser, without a full reload', async () => {
  const page = await openPage(fixture.browser);
  await page.goto(fixture.server.url);
  await waitForHydration(page);
  await page.getByText('to see the reviews you are part of').waitFor();
  await page.evaluate(() => { window.__sameDocument = true; });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.deepEqual(page.problems, []);
});
