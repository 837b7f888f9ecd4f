// Password reset (issue 21) in Chromium, with a real SMTP server on a loopback port: "Forgot
// password?" on the sign-in page, the mail, its link, a new password, signed in. Screenshots
// of the two pages at both sizes go to RESET_SHOTS when set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestSmtp } from '../integration/support/smtp.ts';
import type { TestSmtp } from '../integration/support/smtp.ts';
import { wcagAtBothSizes } from './support/axe.ts';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const SHOTS = process.env.RESET_SHOTS;
const EMAIL = 'ada@example.test';

const focusedText = (page: Page): Promise<string | undefined> =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
        .document.activeElement?.textContent,
  );

describe('password reset in the browser', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({
      mail: smtp.mail,
    });
    const res = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: 'the old password', name: 'Ada' }),
    });
    expect(res.status).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('mails a link from "Forgot password?", whose page sets a new password and signs in', async () => {
    const { page } = await newPeerPage(browser, { label: 'ada' });
    await page.goto(`${server.url}/signin`);
    // By keyboard: from the password field, Tab reaches the link.
    await page.getByLabel('Password').focus();
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Forgot password?');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/forgot-password`);
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.getByLabel('Email').waitFor();
    expect(await wcagAtBothSizes(page, 'reset-forgot', SHOTS)).toEqual([]);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Email').press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `If ${EMAIL} has an account` })
      .waitFor();
    expect(await wcagAtBothSizes(page, 'reset-forgot-sent', SHOTS)).toEqual([]);

    const mail = await smtp.nextMail();
    expect(mail.to).toEqual([EMAIL]);
    const link = new RegExp(`${server.url}/reset-password#[A-Za-z0-9_-]+`).exec(
      mail.parsed.text ?? '',
    )?.[0];
    expect(link).toBeDefined();
    await page.goto(link as string);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('New password').waitFor();
    expect(await wcagAtBothSizes(page, 'reset-reset', SHOTS)).toEqual([]);
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByLabel('New password').press('Enter');
    await page.waitForURL(`${server.url}/`);
    await page.getByText('Signed in as Ada').waitFor();

    // The link is spent: opened again, the page says so and offers a new one.
    await page.goto(link as string);
    await page.getByLabel('New password').fill('another new password');
    await page.getByLabel('New password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'expired or was used already' }).waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();

    const signIn = await fetch(`${server.url}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: 'a brand new password' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('says email is not set up where the server has no SMTP', async () => {
    const plain = await startTestServer();
    try {
      const { page } = await newPeerPage(browser, { label: 'plain' });
      const asked = page.waitForResponse((res) => res.url().endsWith('/api/features'));
      await page.goto(`${plain.url}/forgot-password`);
      expect(await (await asked).json()).toEqual({ email: false });
      await page.getByRole('alert').filter({ hasText: 'Email is not set up' }).waitFor();
      expect(await page.getByLabel('Email').count()).toBe(0);
      expect(await wcagAtBothSizes(page, 'reset-forgot-mail-off', SHOTS)).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
