import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestSmtp } from '../integration/support/smtp.ts';
import type { TestSmtp } from '../integration/support/smtp.ts';
import { SCREEN_SIZES } from './support/axe.ts';
import { launchChromium, newPeerPage } from './support/browser.ts';
import { joinRoom } from './support/call.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

// Issue 21's whole path, in the browser and a real SMTP server: a signed-in host schedules a
// meeting with an invitee; the invitation mail arrives; the invitee opens its link, joins,
// leaves and rates it; the host sees the invitee's attendance row and the rating.

describe('from an invitation to a rating (issue 21)', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({
      mail: smtp.mail,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('schedules, mails the invitation, and its link leads to a meeting the host sees rated', async () => {
    const { page: host } = await newPeerPage(browser, {
      label: 'host',
      viewport: SCREEN_SIZES.laptop,
    });
    await host.goto(server.url);
    await host.getByRole('link', { name: 'Create account' }).click();
    await host.getByLabel('Your name').fill('Hana');
    await host.getByLabel('Email').fill('hana@example.test');
    await host.getByLabel('Password').fill('correct horse battery');
    await host.getByRole('button', { name: 'Create account' }).click();
    await host.getByText('Signed in as Hana').waitFor();

    // Tomorrow at 10:00 in the browser's zone, no waiting room: the invitee walks straight in.
    await host.getByRole('button', { name: 'Schedule a meeting' }).click();
    const form = host.getByRole('form', { name: 'Schedule a meeting' });
    await form.getByLabel('Title').fill('Physics 101');
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Date').fill(tomorrow);
    await form.getByLabel('Start time').fill('10:00');
    await form.getByLabel('Invitees (emails, separated by commas)').fill('bob@example.test');
    await form.getByLabel('Waiting room: you let each guest in').uncheck();
    await form.getByRole('button', { name: 'Schedule', exact: true }).click();
    await host.getByRole('status').filter({ hasText: 'Scheduled “Physics 101”' }).waitFor();

    // The dispatcher's next tick sends the invitation (the server ticks every 30 s; the test
    // does not wait for it).
    await server.notices.tick();
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual(['bob@example.test']);
    expect(mail.parsed.subject).toMatch(/^Invitation: Physics 101/);
    const link = /https?:\/\/\S+\/r\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '')?.[0];
    expect(link, 'the room link in the invitation').toBeDefined();

    await joinRoom(host, link!, 'Hana');
    const { page: bob } = await newPeerPage(browser, {
      label: 'bob',
      viewport: SCREEN_SIZES.laptop,
    });
    await joinRoom(bob, link!, 'Bob');

    await bob.getByRole('button', { name: 'Leave', exact: true }).click();
    await bob.getByRole('form', { name: 'How was it?' }).waitFor();
    await bob.locator('label[for="feedback-star-5"]').click();
    expect(await bob.getByLabel('5 stars: Excellent').isChecked()).toBe(true);
    await bob.getByLabel('Anything to add? (optional)').fill('Great class');
    await bob.getByRole('button', { name: 'Send' }).click();
    await bob.getByText('Thank you for your feedback.').waitFor();

    await host.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.getByRole('link', { name: 'Attendance and feedback' }).click();
    const table = host.getByRole('table');
    await table.waitFor();
    await waitFor(
      'both attendance rows',
      async () => (await table.locator('tbody tr').count()) === 2,
    );
    const rows = await table.locator('tbody tr th').allTextContents();
    // The host signed in (named with her account's email); Bob came as a guest, by the mail's link.
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      'Hana hana@example.test',
      'Bob guest',
    ]);
    await host.getByText('5.0 ★ (1 rating)').first().waitFor();
    await host.getByText('Great class').waitFor();
  });
});
