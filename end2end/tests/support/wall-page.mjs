// The findings wall's page object: open it as a demo member, live and hydrated.
import { openPage, waitForHydration } from './browser.mjs';
import { signIn } from './sign-in-page.mjs';

export const REVIEW = 'Eastbrook Borough Council Corporate Peer Challenge';

/// Signs in as `email` and opens the demo review's wall; tall enough that a drag needs no
/// scrolling (Playwright scrolls the target into view between pressing and moving, which would
/// start the drag on whatever is then under the pointer).
export async function openWall(fixture, email) {
  const page = await openPage(fixture.browser, { viewport: { width: 1600, height: 2400 } });
  await signIn(page, fixture.server.url, email);
  await page.getByRole('link', { name: REVIEW }).click();
  await page.getByRole('link', { name: 'Open the findings wall' }).click();
  await page.getByRole('heading', { name: 'Findings wall' }).waitFor();
  await waitForHydration(page);
  await page.locator('.wall-status[data-status="live"]').waitFor();
  return page;
}
