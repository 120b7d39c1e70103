// The action plan in two browsers: the facilitator follows the council's plan from the review's
// timeline and sees what is overdue; the council's host lead updates an overdue action to amber
// with a sentence, and records the plan's publication, and the facilitator's open plan shows
// both at once, without a reload.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();

const REVIEW = 'Ashdown District Council Corporate Peer Challenge';
const OVERDUE = 'Run budget engagement with residents and partners';

async function openPlan(email) {
  const page = await openPage(fixture.browser, { viewport: { width: 1400, height: 1100 } });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('heading', { name: REVIEW }).waitFor();
  await waitForHydration(page);
  return page;
}

test('the host lead sets an overdue action to amber and the facilitator sees it live', async () => {
  const facilitator = await openPlan('facilitator@demo.peerwall.test');
  // The review's timeline: the report published on time, the plan's deadline counting down.
  const timeline = facilitator.locator('section', { has: facilitator.getByRole('heading', { name: 'Key dates and timeline' }) });
  const published = timeline.locator('li', { hasText: 'Report published' });
  await published.getByText('Done', { exact: true }).waitFor();
  const plan = timeline.locator('li', { hasText: 'Action plan published' });
  assert.match(await plan.innerText(), /Due in \d+ days?/);
  assert.match(await timeline.locator('li', { hasText: 'Progress review (' }).innerText(), /from the final report/);
  await timeline.screenshot({ path: screenshotPath('review-timeline.png') });

  await facilitator.getByRole('link', { name: 'Action plan', exact: true }).click();
  await facilitator.getByRole('heading', { name: 'Action plan', exact: true }).waitFor();
  const overdue = facilitator.locator('section.plan-overdue');
  await overdue.getByRole('heading', { name: 'Overdue (1)' }).waitFor();
  assert.match(await overdue.innerText(), new RegExp(OVERDUE));
  const row = (page) => page.locator('tr', { hasText: OVERDUE });
  assert.equal(await row(facilitator).locator('.rag').innerText(), 'Red');
  assert.equal(await facilitator.getByRole('button', { name: /^Edit/ }).count(), 0, 'the facilitator reads the council\'s plan');
  assert.ok(await facilitator.getByRole('link', { name: 'Download for cabinet (Word)' }).isVisible());

  // The council's host lead updates the action.
  const host = await openPlan('claire@demo.peerwall.test');
  await host.getByRole('link', { name: 'Action plan', exact: true }).click();
  await row(host).waitFor();
  await row(host).getByRole('button', { name: /^Edit/ }).click();
  const form = host.getByRole('form', { name: 'Change the action' });
  await form.getByLabel('Status').selectOption({ label: 'Amber: at risk' });
  await form.getByLabel('Where it stands, in a sentence').fill('Platform renewed; the survey opens next week.');
  await form.getByRole('button', { name: 'Save the action' }).click();
  await form.waitFor({ state: 'detached' });
  assert.equal(await row(host).locator('.rag').innerText(), 'Amber');

  // The facilitator's open plan shows it, without a reload.
  await row(facilitator).locator('.rag', { hasText: 'Amber' }).waitFor({ timeout: 5000 });
  await row(facilitator).getByText('Platform renewed; the survey opens next week.').waitFor();
  assert.match(await facilitator.locator('.plan-summary').innerText(), /1 amber/);

  // The host lead records the plan's publication; the facilitator's countdown becomes the date.
  const publication = host.locator('section.publication .publication-row', { hasText: 'The action plan' });
  await publication.getByLabel('Web address').fill('https://www.example.org/ashdown/action-plan');
  await publication.getByRole('button', { name: /^Record/ }).click();
  await publication.getByText(/^Published \d+ \w+ \d{4}/).waitFor();
  await facilitator
    .locator('section.publication .publication-row', { hasText: 'The action plan' })
    .getByRole('link', { name: 'https://www.example.org/ashdown/action-plan' })
    .waitFor({ timeout: 5000 });
  await facilitator.locator('.action-plan').screenshot({ path: screenshotPath('action-plan.png') });

  // A wrong address is refused in words, and nothing recorded is lost.
  await publication.getByLabel('Web address').fill('not an address');
  await publication.getByRole('button', { name: /^Record/ }).click();
  await publication.getByRole('alert').getByText('Give the web address where it is published').waitFor();
});

test('the facilitator schedules the progress review and its team reads the council\'s progress', async () => {
  const facilitator = await openPlan('facilitator@demo.peerwall.test');
  const panel = facilitator.locator('section.progress-scheduler');
  await panel.getByRole('heading', { name: 'Progress review' }).waitFor();
  // Both readings of the window, and the original team ticked to be invited again.
  assert.match(await panel.innerText(), /10–12 months after the visit: .+ After the final report: /);
  assert.ok(await panel.getByLabel('Tom Okafor (peer team lead)').isChecked());
  await panel.getByLabel('Helen Marsh (peer reviewer)').uncheck();
  await panel.screenshot({ path: screenshotPath('progress-review-scheduler.png') });

  // A day outside both readings is questioned, then kept when confirmed.
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  await panel.getByLabel('First day').fill(tomorrow);
  await panel.getByRole('button', { name: 'Schedule the progress review' }).click();
  await panel.getByText(/outside the 10–12 months/).waitFor();
  await panel.getByLabel('Keep these days outside the window').check();
  await panel.getByRole('button', { name: 'Schedule the progress review' }).click();
  await panel.getByText(/1 of the team invited again/).waitFor();
  assert.match(await panel.innerText(), /lead@demo\.peerwall\.test: \/invitations\//, 'the link shown without a mail server');

  // The progress review: its own page, with the council's progress on each recommendation.
  await panel.getByRole('link', { name: 'Open the progress review' }).click();
  await facilitator.getByRole('heading', { name: `${REVIEW} progress review` }).waitFor();
  const statements = facilitator.locator('section.progress-statements');
  await statements.getByText('The independent member joined in the summer', { exact: false }).waitFor();
  assert.match(await statements.innerText(), /1 overdue/);
  assert.match(await facilitator.locator('.timeline').innerText(), /Report published/);
});
