// The pack in the browser: the host lead uploads a document with the page's own form (and is
// told plainly when a file is refused); a peer sees it marked new, downloads it and marks the
// position statement read; the facilitator's list of who has not opened it empties.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';
import { REVIEW } from './support/wall-page.mjs';

const fixture = useServerAndBrowser();

async function openPack(email) {
  const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 1000 } });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Documents', exact: true }).click();
  await page.getByRole('heading', { name: 'Documents', exact: true }).waitFor();
  return page;
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

test('the host lead uploads, a peer reads, and the facilitator sees who has not opened the position statement', async () => {
  const host = await openPack('host@demo.peerwall.test');
  const form = host.locator('form[enctype="multipart/form-data"]');
  await form.getByLabel('Title').fill('Housing strategy 2025 to 2030');
  await form.getByLabel('Kind').selectOption({ label: 'Data and evidence' });
  await form.getByLabel(/^File/).setInputFiles({ name: 'housing strategy.pdf', mimeType: 'application/pdf', buffer: PDF });
  await form.getByRole('button', { name: 'Upload' }).click();
  await host.getByText('“Housing strategy 2025 to 2030” is in the pack.').waitFor();
  const row = host.locator('.pack-document', { hasText: 'Housing strategy 2025 to 2030' });
  await row.getByText('housing-strategy.pdf').waitFor();

  // A spreadsheet cell that would run as a formula is refused, and the page says where.
  const again = host.locator('form[enctype="multipart/form-data"]');
  await again.getByLabel('Title').fill('Budget lines');
  await again.getByLabel(/^File/).setInputFiles({
    name: 'budget.csv', mimeType: 'text/csv', buffer: Buffer.from('line,amount\nstaff,=SUM(B1:B9)\n'),
  });
  await again.getByRole('button', { name: 'Upload' }).click();
  const refused = host.locator('#upload-refused');
  await refused.waitFor();
  assert.match(await refused.innerText(), /Line 2, column 2/);
  assert.equal(await host.locator('.pack-document', { hasText: 'Budget lines' }).count(), 0);

  // The facilitator: Gareth has not opened the position statement, and the visit is under way.
  const facilitator = await openPack('facilitator@demo.peerwall.test');
  const unread = facilitator.locator('.pack-unread-warning');
  await unread.getByText('Gareth Lloyd').waitFor();

  // Gareth sees what is new, downloads the new document and marks the position statement read.
  const gareth = await openPack('peer2@demo.peerwall.test');
  const fresh = gareth.locator('.pack-document', { hasText: 'Housing strategy 2025 to 2030' });
  await fresh.getByText('New', { exact: true }).waitFor();
  assert.equal(await gareth.locator('form[enctype="multipart/form-data"]').count(), 0, 'peers do not upload');
  const [download] = await Promise.all([
    gareth.waitForEvent('download'),
    fresh.getByRole('link', { name: 'Housing strategy 2025 to 2030' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'housing-strategy.pdf');
  const statement = gareth.locator('.pack-document', { hasText: 'Position statement' });
  await statement.getByRole('button', { name: /Mark as read/ }).click();
  await statement.getByText('Read', { exact: true }).waitFor();

  await facilitator.reload();
  await facilitator.getByText('Everyone on the team has opened it.').waitFor();
  await facilitator.screenshot({ path: screenshotPath('pack.png'), fullPage: true });
});
