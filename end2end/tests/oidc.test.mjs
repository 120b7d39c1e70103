// "Sign in with your organisation", against a real OpenID provider on loopback
// (end2end/oidc-provider.mjs, the certified npm `oidc-provider`): the sign-in page offers the
// choice (the README's screenshot); an invitee joins from the invitation's page with their
// organisation's account, which opens their account and takes them to the review; an existing password account is linked after its password, and
// from then on the organisation alone signs its person in; a refusal is said in words.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { freePort } from './support/server.mjs';
import { DEMO_PASSWORD, signIn } from './support/sign-in-page.mjs';

const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';
const here = path.dirname(fileURLToPath(import.meta.url));

/// The provider, started before the Peerwall server: it must know Peerwall's redirect address,
/// and Peerwall its issuer.
const provider = { process: undefined, port: undefined };
async function startProvider() {
  provider.port = await freePort();
  const redirect = `http://127.0.0.1:${provider.port}/auth/oidc/callback`;
  provider.process = spawn('node', [path.join(here, '../oidc-provider.mjs'), '0', 'peerwall', 'browser-test-secret', redirect], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = createInterface({ input: provider.process.stdout });
  const issuer = await new Promise((resolve) => lines.once('line', (line) => resolve(JSON.parse(line).issuer)));
  lines.on('line', () => {});
  return {
    PEERWALL_OIDC_ISSUER: issuer,
    PEERWALL_OIDC_CLIENT_ID: 'peerwall',
    PEERWALL_OIDC_CLIENT_SECRET: 'browser-test-secret',
    PEERWALL_OIDC_ALLOWED_DOMAINS: 'demo.peerwall.test,westshire.gov.uk',
  };
}
const fixture = useServerAndBrowser({ env: startProvider, port: () => provider.port });
after(() => provider.process?.kill());

/// Clicks "Sign in with your organisation" and signs in at the provider as `email`.
async function withOrganisation(page, email, name = '') {
  await page.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await page.getByRole('heading', { name: 'Sign in to your organisation' }).waitFor();
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('the sign-in page offers the organisation, and an invitee joins with it from the invitation', async () => {
  const visitor = await openPage(fixture.browser, { viewport: { width: 1024, height: 720 } });
  await visitor.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(visitor);
  await visitor.getByRole('link', { name: 'Sign in with your organisation' }).waitFor();
  await visitor.getByText('or with a password').waitFor();
  await visitor.screenshot({ path: screenshotPath('sign-in-choice.png') });

  const facilitator = await openPage(fixture.browser);
  await signIn(facilitator, fixture.server.url, 'facilitator@demo.peerwall.test');
  await facilitator.getByRole('link', { name: REVIEW }).click();
  await facilitator.getByRole('heading', { name: 'Invite someone' }).waitFor();
  await waitForHydration(facilitator);
  await facilitator.getByLabel('Email').fill('rhys.morgan@westshire.gov.uk');
  await facilitator.getByLabel('Role', { exact: true }).selectOption({ label: 'Peer reviewer' });
  await facilitator.getByRole('button', { name: 'Create invitation link' }).click();
  const linkField = facilitator.getByLabel('Invitation link');
  await linkField.waitFor();
  const link = await linkField.inputValue();

  // The invitee opens the link and joins with their organisation's account: no password.
  await visitor.goto(link);
  await waitForHydration(visitor);
  await visitor.getByText('You are invited to join').waitFor();
  await visitor.getByRole('link', { name: "Join with your organisation's account" }).click();
  await visitor.getByRole('heading', { name: 'Sign in to your organisation' }).waitFor();
  await visitor.getByLabel('Work email').fill('rhys.morgan@westshire.gov.uk');
  await visitor.getByLabel('Name').fill('Rhys Morgan');
  await visitor.getByRole('button', { name: 'Sign in' }).click();
  await visitor.waitForURL(/\/reviews\/[0-9a-f-]+$/);
  await visitor.getByRole('heading', { name: REVIEW }).waitFor();
  await visitor.getByText('Rhys Morgan').first().waitFor();
  for (const page of [visitor, facilitator]) assert.deepEqual(page.problems, []);
});

test('an existing account is linked after its password, then the organisation is enough', async () => {
  const page = await openPage(fixture.browser);
  await withOrganisation(page, 'lead@demo.peerwall.test');
  await page.waitForURL(/\/sign-in\?link=organisation$/);
  await waitForHydration(page);
  await page.getByText('Your organisation has confirmed lead@demo.peerwall.test.').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), 'lead@demo.peerwall.test');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${fixture.server.url}/`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();

  // The provider remembers this browser: one click, and the lead is back.
  await page.goto(`${fixture.server.url}/sign-in`);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Sign in with your organisation' }).click();
  await page.waitForURL(`${fixture.server.url}/`);
  await page.getByRole('link', { name: REVIEW }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('a refused sign-in is said in words on the sign-in page', async () => {
  const page = await openPage(fixture.browser);
  await withOrganisation(page, 'someone@elsewhere.example');
  await page.waitForURL(/\/sign-in\?problem=domain$/);
  await page.getByRole('alert').getByText('Accounts at your email address\'s organisation cannot sign in here.', { exact: false }).waitFor();
  // Nothing from the address is shown as written.
  await page.goto(`${fixture.server.url}/sign-in?problem=%3Cb%3Ehello`);
  await waitForHydration(page);
  assert.equal(await page.locator('#sign-in-error').innerText(), '');
  assert.deepEqual(page.problems, []);
});
