// The council's data in the browser: a host fieldwork member of the PCI sees the team's picked
// indicators as charts with their tables and adds one; the host lead's import of a broken file is
// refused with its line and column, and the data stays as it was.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openPage, screenshotPath, waitForHydration } from './support/browser.mjs';
import { useServerAndBrowser } from './support/fixture.mjs';
import { signIn } from './support/sign-in-page.mjs';

const fixture = useServerAndBrowser();
const PCI = 'Glenmoor Council Peer Collaborative Improvement';

async function openData(email) {
  const page = await openPage(fixture.browser, { viewport: { width: 1400, height: 1000 } });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: PCI }).click();
  await page.getByRole('heading', { name: PCI }).waitFor();
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Data', exact: true }).click();
  await page.getByRole('heading', { name: 'Data', exact: true }).waitFor();
  return page;
}

test('the team charts the LGBF indicators it picks, and a broken import changes nothing', async () => {
  const ewan = await openData('ewan@demo.peerwall.test');
  const charts = ewan.locator('figure.indicator-figure');
  await charts.first().waitFor();
  assert.equal(await charts.count(), 2, 'the demo picks two indicators');
  const homeCare = ewan.locator('figure[data-indicator="SW1"]');
  assert.equal(await homeCare.locator('svg[role="img"] path.chart-line').count(), 3, 'host, family group, every council');
  const legend = homeCare.locator('.chart-legend');
  await legend.getByText('Glenmoor Council', { exact: true }).waitFor();
  await legend.getByText('Family group 1 average (6 councils)').waitFor();
  await homeCare.getByText('The numbers for SW1 as a table').click();
  assert.equal(await homeCare.locator('tbody tr').count(), 6, 'a row per year');

  await ewan.getByLabel("Add an indicator to the team's charts").selectOption('ECON1');
  await ewan.getByRole('button', { name: 'Add', exact: true }).click();
  await ewan.locator('figure[data-indicator="ECON1"]').waitFor();
  assert.equal(await charts.count(), 3);
  // Drawn again from the new answer, each chart has its three lines and a marker per value, once.
  const arrears = ewan.locator('figure[data-indicator="HSN1b"]');
  assert.equal(await arrears.locator('path.chart-line').count(), 3);
  assert.equal(await arrears.locator('circle.chart-marker').count(), 18);
  // Lines are drawn, never filled (a fill shades the sliver between a line and its chord).
  const fills = await ewan.locator('path.chart-line').evaluateAll(
    (paths) => paths.map((path) => getComputedStyle(path).fill));
  assert.ok(fills.length >= 9 && fills.every((fill) => fill === 'none'), fills.join(', '));
  await ewan.screenshot({ path: screenshotPath('lgbf-chart.png'), fullPage: false });

  const host = await openData('morag@demo.peerwall.test');
  await host.getByLabel(/^CSV file/).setInputFiles({
    name: 'lgbf.csv', mimeType: 'text/csv',
    buffer: Buffer.from('council,indicator,year,value\nGlenmoor Council,SW1,2024-25,lots\n'),
  });
  await host.getByRole('button', { name: 'Import' }).click();
  const refused = host.locator('#import-refused');
  await refused.waitFor();
  assert.equal(await refused.innerText(), 'Line 2, column 4 (value): “lots” is not a number.');
  await host.getByText('432 values for 12 councils and 6 indicators', { exact: false }).waitFor();
});
