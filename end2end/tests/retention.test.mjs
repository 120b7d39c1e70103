// Retention in the browser: everyone on the review reads how long the notes are kept and what
// goes; the facilitator shortens the period, and finds the change in the audit trail with its
// filters; the host lead reads the same policy without the controls.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';
import { REVIEW } from './support/wall-page.mjs';

const fixture = useServerAndBrowser();

async function openReview(email) {
  const page = await openPage(fixture.browser, { viewport: { width: 1280, height: 1400 } });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  return page;
}

test('the facilitator shortens how long the notes are kept, and the council reads the policy', async () => {
  const facilitator = await openReview('facilitator@demo.peerwall.test');
  const panel = facilitator.locator('section.retention');
  await panel.getByText('The notes are kept until the council signs the report off, then for 30 days.').waitFor();
  await panel.getByText('What goes, what stays, and why').click();
  await panel.getByText(/Every note, deleted ones too/).waitFor();
  await panel.getByLabel('Keep the notes for (days after sign-off)').fill('14');
  await panel.getByRole('button', { name: 'Set' }).click();
  await panel.getByText('then for 14 days.', { exact: false }).waitFor();
  await panel.screenshot({ path: screenshotPath('retention-panel.png') });

  // The change is in the audit trail, found with its filter.
  const audit = facilitator.locator('section.panel', { hasText: 'Audit trail' });
  await facilitator.reload();
  await waitForHydration(facilitator);
  await audit.getByLabel('What').selectOption({ label: 'retention set' });
  const rows = audit.locator('tbody tr');
  await rows.first().getByText('notes kept 14 days after sign-off').waitFor();
  assert.equal(await rows.count(), 1);
  await audit.getByLabel('What').selectOption({ label: 'Everything' });
  await audit.getByLabel('Who').fill('nobody at all');
  await facilitator.waitForFunction(() => document.querySelectorAll('.audit tbody tr').length === 0);
  assert.ok(await audit.getByRole('link', { name: 'Download the whole trail (CSV)' }).isVisible());

  // The host lead reads the same policy, without the controls.
  const host = await openReview('host@demo.peerwall.test');
  const hostPanel = host.locator('section.retention');
  await hostPanel.getByText('then for 14 days.', { exact: false }).waitFor();
  assert.equal(await hostPanel.getByLabel('Keep the notes for (days after sign-off)').count(), 0);
  assert.equal(await hostPanel.getByRole('button', { name: 'Destroy the notes now' }).count(), 0);
});
