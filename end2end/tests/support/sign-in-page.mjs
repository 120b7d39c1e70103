// The sign-in screen's page object.
import { waitForHydration } from './browser.mjs';

export const DEMO_PASSWORD = 'demo-password-2026';

/// Fills and submits the sign-in form; does not wait for the outcome.
export async function submitSignIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/sign-in`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/// Signs in and waits for the home page.
export async function signIn(page, baseUrl, email, password = DEMO_PASSWORD) {
  await submitSignIn(page, baseUrl, email, password);
  await page.waitForURL(`${baseUrl}/`);
}
