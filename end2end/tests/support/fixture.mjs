// One server and one browser per test file, started before its tests and stopped after.
import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

/// Registers the file's before/after hooks; the returned object is filled in when they run.
export function useServerAndBrowser() {
  const fixture = { server: undefined, browser: undefined };
  before(async () => {
    fixture.server = await startServer();
    fixture.browser = await launchBrowser();
  });
  after(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
