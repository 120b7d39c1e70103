// Invitations by email, against a real SMTP server (end2end/smtp-sink.mjs, the npm
// `smtp-server` package) on loopback: the facilitator invites, is told it was emailed, the mail
// arrives with its link, and the invitee opens the link from the mail and joins. The HTML part,
// as a mail program shows it, is the README's screenshot of an email as received.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';
const here = path.dirname(fileURLToPath(import.meta.url));

/// The SMTP server, started before the Peerwall server (whose options name its port).
const smtp = { process: undefined, mails: [], waiting: [] };
async function startSmtp() {
  smtp.process = spawn('node', [path.join(here, '../smtp-sink.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: smtp.process.stdout });
  const port = await new Promise((resolve) => {
    lines.on('line', (line) => {
      const message = JSON.parse(line);
      if (message.listening) return resolve(message.listening);
      smtp.mails.push(message);
      for (const wake of smtp.waiting.splice(0)) wake();
    });
  });
  return {
    PEERWALL_SMTP_URL: `smtp://127.0.0.1:${port}`,
    PEERWALL_MAIL_FROM: 'Peerwall <peerwall@demo.peerwall.test>',
  };
}
const fixture = useServerAndBrowser({ env: startSmtp });
after(() => smtp.process?.kill());

/// The next mail to `to`, waiting up to 20 s.
async function mailTo(to) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mail = smtp.mails.find((m) => m.to.includes(to));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await new Promise((resolve) => { smtp.waiting.push(resolve); setTimeout(resolve, 500); });
  }
}

/// Quoted-printable undone, as UTF-8.
function quotedPrintable(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i += 1) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/// One part of a multipart mail, decoded.
function part(mail, type) {
  const found = new RegExp(`Content-Type: ${type}[^]*?\\r\\n\\r\\n([^]*?)\\r\\n--`).exec(mail.data);
  assert.ok(found, `no ${type} part in\n${mail.data}`);
  const headers = found[0].slice(0, found[0].indexOf('\r\n\r\n'));
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(found[1], 'base64').toString('utf8');
  return quotedPrintable(found[1].replace(/=\r\n/g, ''));
}

test('an invitation goes by email, and the invitee joins from the link in it', async () => {
  const facilitator = await openPage(fixture.browser);
  await signIn(facilitator, fixture.server.url, 'facilitator@demo.peerwall.test');
  await facilitator.getByRole('link', { name: REVIEW }).click();
  await facilitator.getByRole('heading', { name: 'Invite someone' }).waitFor();
  await waitForHydration(facilitator);
  await facilitator.getByLabel('Email').fill('sam.mailed@westshire.gov.uk');
  await facilitator.getByLabel('Role', { exact: true }).selectOption({ label: 'Peer reviewer' });
  await facilitator.getByRole('button', { name: 'Create invitation link' }).click();
  await facilitator.getByText('Emailed to sam.mailed@westshire.gov.uk (Peer reviewer).').waitFor();

  const mail = await mailTo('sam.mailed@westshire.gov.uk');
  assert.match(mail.data.replace(/\r\n /g, ' '), /Subject: You are invited to the Eastbrook Borough Council Corporate Peer Challenge/);
  const text = part(mail, 'text/plain');
  assert.match(text, /Priya Shah has invited you to join the Eastbrook Borough Council Corporate Peer Challenge/);
  const link = /Accept the invitation: (\S+)/.exec(text)?.[1];
  assert.match(link, new RegExp(`^${fixture.server.url}/invitations/[A-Za-z0-9_-]{43}$`));

  // The HTML part as a mail program shows it (scripts off), with the same link.
  const html = part(mail, 'text/html');
  const reader = await openPage(fixture.browser, { viewport: { width: 720, height: 300 }, javaScriptEnabled: false });
  await reader.setContent(html);
  assert.equal(await reader.getByRole('link', { name: 'Accept the invitation' }).getAttribute('href'), link);
  await reader.screenshot({ path: screenshotPath('invitation-email.png') });
  await reader.close();

  // The invitee follows the link from the mail.
  const invitee = await openPage(fixture.browser);
  await invitee.goto(link);
  await waitForHydration(invitee);
  await invitee.getByText('You are invited to join').waitFor();
  await invitee.getByLabel('Your name').fill('Sam Mailed');
  await invitee.getByLabel('Choose a password').fill('a long enough password');
  await invitee.getByRole('button', { name: 'Accept and sign in' }).click();
  await invitee.waitForURL(/\/reviews\//);
  await invitee.getByRole('heading', { name: REVIEW }).waitFor();
  for (const page of [facilitator, invitee]) assert.deepEqual(page.problems, []);
});
