// One server and one browser per test file, started before its tests and stopped after; the
// pages a test opened are closed when it ends. The server's log is kept in test-results/ and
// printed when a test fails, so a failure on CI says what the server saw.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before } from 'node:test';

import { audit, failures } from './accessibility.mjs';
import { closeOpenPages, launchBrowser, openPages, screenshotPath, unfinishedRequests } from './browser.mjs';
import { startServer } from './server.mjs';

/// Registers the file's hooks; the returned object is filled in when they run. `env` adds to
/// the server's environment (its options, `PEERWALL_…`): an object, or an async function
/// returning one, run first (to start something the server's options name). `port`, a function,
/// gives the port the server is to take, once `env` has run (for something started first that
/// must know the server's address).
export function useServerAndBrowser({ env = {}, port = () => undefined } = {}) {
  const fixture = { server: undefined, browser: undefined };
  let failed = false;
  before(async () => {
    const environment = typeof env === 'function' ? await env() : env;
    fixture.server = await startServer({ env: environment, port: port() });
    fixture.browser = await launchBrowser();
  });
  afterEach(async (t) => {
    if (t?.passed === false) {
      failed = true;
      for (const request of unfinishedRequests()) console.log(`# unfinished when "${t.name}" failed: ${request}`);
      // What each page showed when it failed: a screenshot kept in test-results/, and its text
      // printed, since CI keeps only what a run prints.
      for (const [i, page] of openPages().entries()) await describe(page, `${t.name} ${i + 1}`);
    } else {
      // Every page the test leaves open is audited as it ends (a passing test only: a failed
      // one's pages may be anywhere).
      for (const page of openPages()) await audit(page, `end of "${t?.name}"`, { collect: true }).catch(() => {});
    }
    const violations = failures();
    await closeOpenPages();
    if (violations.length && t?.passed !== false) throw new Error(violations.join('\n'));
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
    const log = fixture.server?.output() ?? '';
    const file = screenshotPath(`server-${path.basename(process.argv[1] ?? 'tests', '.mjs')}-${process.pid}.log`);
    writeFileSync(file, log);
    if (failed && log) console.log(`# the server's log (${file}):\n${log.split('\n').slice(-80).map((l) => `# ${l}`).join('\n')}`);
  });
  return fixture;
}

/// Prints what `page` shows and keeps a screenshot of it; says so when either cannot be had
/// (a page that crashed or is still loading), without failing the hook.
async function describe(page, name) {
  const file = screenshotPath(`failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
  const shot = await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).then(() => file, (e) => `no screenshot: ${e.message.split('\n')[0]}`);
  const text = await page.locator('main').innerText({ timeout: 2_000 }).catch((e) => `(no text: ${e.message.split('\n')[0]})`);
  console.log(`# page ${page.url()} when it failed (${shot}):\n${text.split('\n').slice(0, 120).map((l) => `#   ${l}`).join('\n')}`);
}
