// Single sign-on (issue 21) in Chromium: "Sign in with <provider>" on the sign-in page, the
// login form of a real OpenID provider (oidc-provider) on another loopback site, and back on
// the room's page, signed in. Screenshots of the sign-in page go to SSO_SHOTS when set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { CreateRoomResponse } from '@parley/protocol';
import {
  TEST_CLIENT,
  TEST_PASSWORD,
  startTestProvider,
} from '../integration/support/oidcProvider.ts';
import type { TestProvider } from '../integration/support/oidcProvider.ts';
import { SCREEN_SIZES, wcagAtBothSizes } from './support/axe.ts';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const SHOTS = process.env.SSO_SHOTS;

describe('single sign-on in the browser', () => {
  let provider: TestProvider;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // `localhost`: the provider is another site than Parley on 127.0.0.1, as in production,
    // so the sign-in's cookie must survive a cross-site navigation back (SameSite=Lax).
    provider = await startTestProvider({ host: 'localhost' });
    server = await startTestServer({
      oidc: {
        issuer: provider.issuer,
        clientId: TEST_CLIENT.id,
        clientSecret: TEST_CLIENT.secret,
        name: 'Test School',
      },
    });
    provider.allow(server.url);
    provider.accounts.set('ada', {
      email: 'ada@school.example',
      email_verified: true,
      name: 'Ada',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  it('signs in at the provider from the keyboard and lands back on the room, signed in', async () => {
    const created = await fetch(`${server.url}/api/rooms`, { method: 'POST' });
    const { id } = (await created.json()) as CreateRoomResponse;
    const roomUrl = `${server.url}/r/${id}`;
    const { page } = await newPeerPage(browser, { label: 'ada' });
    await page.goto(roomUrl);
    await page.getByText('Joining as a guest.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/signin\?next=/);
    const button = page.getByRole('link', { name: 'Sign in with Test School' });
    await button.waitFor();
    expect(await wcagAtBothSizes(page, 'sso-signin', SHOTS)).toEqual([]);

    // By keyboard: Tab from the top reaches the button right after the brand link.
    await page.setViewportSize(SCREEN_SIZES.laptop);
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
          .document.activeElement?.textContent,
    );
    expect(focused).toBe('Sign in with Test School');
    await page.keyboard.press('Enter');

    // The provider's own page, on its own site.
    await page.waitForURL((url) => url.origin === new URL(provider.issuer).origin);
    await page.getByLabel('Login').fill('ada');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByLabel('Password').press('Enter');

    await page.waitForURL(roomUrl);
    await page.getByText('Signed in as Ada.').waitFor();
    expect(await page.getByLabel('Your name').inputValue()).toBe('Ada');
    // Back does not return to the page that only finished the sign-in.
    expect(new URL(page.url()).search).toBe('');

    // As with a password sign-in, a reload keeps the session (the refresh cookie).
    await page.reload();
    await page.getByText('Signed in as Ada.').waitFor();
  });

  it('says why a sign-in was refused, and offers the button again', async () => {
    const { page } = await newPeerPage(browser, { label: 'refused' });
    await page.goto(`${server.url}/signin?sso_error=SSO_EMAIL_UNVERIFIED&next=%2F`);
    await page.getByRole('alert').filter({ hasText: 'has not verified it' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with Test School' }).waitFor();
    expect(await wcagAtBothSizes(page, 'sso-signin-refused', SHOTS)).toEqual([]);
  });

  it('shows no button where single sign-on is off', async () => {
    const plain = await startTestServer();
    try {
      const { page } = await newPeerPage(browser, { label: 'plain' });
      const asked = page.waitForResponse((res) => res.url().endsWith('/api/auth/oidc'));
      await page.goto(`${plain.url}/signin`);
      expect(await (await asked).json()).toEqual({ provider: null });
      await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.getByRole('link', { name: /^Sign in with/ }).count()).toBe(0);
    } finally {
      await plain.close();
    }
  });
});
