import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useServerAndBrowser } from './support/harness.ts';
import { newPeerPage } from './support/browser.ts';
import { inCall, joinRoom } from './support/call.ts';

const PASSWORD = 'correct horse battery';

async function signUp(page: Page, baseUrl: string, name: string, email: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('accounts', () => {
  const env = useServerAndBrowser();

  it('signs up, keeps the session over a reload, lists and hosts the rooms it owns', async () => {
    const { page } = await newPeerPage(env.browser, { label: 'ada' });
    await signUp(page, env.server.url, 'Ada', 'ada@example.org');
    await page.getByText('Signed in as Ada').waitFor();
    await page.getByText('Rooms you create while signed in show up here.').waitFor();

    // A titled room, owned by the account.
    await page.getByLabel('Title').fill('Weekly sync');
    await page.getByLabel('Waiting room').uncheck();
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]+$/);
    const url = page.url();
    await page.getByText('Signed in as Ada.').waitFor();

    // The access token lives in memory only: a reload restores it from the refresh cookie.
    await page.goto(env.server.url);
    await page.getByText('Signed in as Ada').waitFor();
    const link = page.getByRole('link', { name: 'Weekly sync', exact: true });
    await link.waitFor();
    expect(new URL(url).pathname).toBe(await link.getAttribute('href'));
    // Beside it, the room's recordings (issue 18).
    const recordings = page.getByRole('link', { name: 'Recordings of Weekly sync' });
    expect(await recordings.getAttribute('href')).toBe(`${new URL(url).pathname}/recordings`);

    // Another browser without the host key: signed in as the owner, it is the host.
    const other = (await newPeerPage(env.browser, { label: 'ada-laptop' })).page;
    await other.goto(url);
    await other.getByText('Joining as a guest.').waitFor();
    await other.getByRole('link', { name: 'Sign in' }).click();
    await other.waitForURL(/\/signin\?next=/);
    await signIn(other, 'ada@example.org', PASSWORD);
    await other.waitForURL(url);
    expect(await other.getByLabel('Your name').inputValue()).toBe('Ada');
    await other.getByRole('button', { name: 'Join', exact: true }).click();
    await inCall(other);
    await other.getByRole('button', { name: 'End meeting for all' }).waitFor();
    await other.locator('figure[data-peer-name="Ada"] .role-badge', { hasText: 'Host' }).waitFor();

    // A guest needs no account.
    const guest = (await newPeerPage(env.browser, { label: 'guest' })).page;
    await joinRoom(guest, url, 'Gus');
    await guest.locator('figure[data-peer-name="Ada"] .role-badge', { hasText: 'Host' }).waitFor();

    // Signing out sticks across a reload.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Your rooms').count()).toBe(0);
  });

  it('says what went wrong: wrong password, email taken, too many attempts', async () => {
    const { page } = await newPeerPage(env.browser, { label: 'bea' });
    await signUp(page, env.server.url, 'Bea', 'bea@example.org');
    await page.getByText('Signed in as Bea').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();

    const { page: again } = await newPeerPage(env.browser, { label: 'bea-again' });
    await signUp(again, env.server.url, 'Bea', 'bea@example.org');
    await again
      .getByRole('alert')
      .filter({ hasText: 'An account with this email already exists' })
      .waitFor();

    await page.getByRole('link', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    // Five failures per email; the next attempt is refused with a wait, and the form counts down.
    for (let i = 0; i < 5; i++) {
      await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/auth/signin')),
        signIn(page, 'bea@example.org', 'not the password'),
      ]);
      await alert.filter({ hasText: 'Wrong email or password.' }).waitFor();
    }
    await signIn(page, 'bea@example.org', PASSWORD);
    await alert
      .filter({ hasText: /Too many attempts\. Wait \d+ s before trying again\./ })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).isDisabled()).toBe(
      true,
    );
  });
});
