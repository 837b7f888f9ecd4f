import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { SCREEN_SIZES, wcagAtBothSizes } from './support/axe.ts';
import { parseCalendar } from '../integration/support/calendar.ts';
import { startTestSmtp } from '../integration/support/smtp.ts';
import type { ReceivedMail, TestSmtp } from '../integration/support/smtp.ts';

// Issue 21's proof for scheduling, in the browser: a user signs up, schedules a weekly meeting
// from the home page with the keyboard alone (09:00 Berlin, starting the Monday before the
// clocks go forward), sees it under Upcoming with its link, downloads its .ics (read back by
// ical.js: 08:00 UTC, then 07:00 UTC after the change), then with the keyboard alone moves it to
// 10:30, takes Carol off it, turns the waiting room off and sets a password (Carol's mail, from a
// real SMTP server, cancels the same calendar entry), and cancels it. Each screen passes axe at a
// laptop's and a phone's size, saved as screenshots (SCHED_SHOTS, default /tmp/sched-shots).

const SHOTS = process.env.SCHED_SHOTS ?? '/tmp/sched-shots';

/** The id of the element with the focus ('' for none). */
function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { id: string } | null } })
      .document;
    return doc.activeElement?.id ?? '';
  });
}

/** Presses Tab until the element with this id has the focus (at most 40 times). */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 40; i += 1) {
    if ((await focusedId(page)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

/** The Monday six days before the last Sunday of March, in the next March still ahead. */
function mondayBeforeDst(): { year: number; month: number; day: number } {
  const now = new Date();
  let year = now.getUTCFullYear();
  if (now.getTime() > Date.UTC(year, 2, 1)) year += 1;
  const lastSunday = 31 - new Date(Date.UTC(year, 2, 31)).getUTCDay();
  return { year, month: 3, day: lastSunday - 6 };
}

/** "carol@example.org Cancelled: Weekly sync" per mail, sorted. */
const summary = (mails: ReceivedMail[]) =>
  mails.map((m) => `${m.to.join()} ${m.parsed.subject?.split(',')[0]}`).sort();

/** The mail's `.ics` attachment as ical.js reads it. */
function calendarOf(mail: ReceivedMail) {
  const ics = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!ics) throw new Error(`no calendar attached to "${mail.parsed.subject ?? ''}"`);
  return parseCalendar(ics.content.toString('utf8'));
}

describe('scheduled meetings (issue 21)', () => {
  const env = {} as { server: TestServer; browser: Browser; smtp: TestSmtp };
  beforeAll(async () => {
    env.smtp = await startTestSmtp();
    env.server = await startTestServer({
      mail: env.smtp.mail,
    });
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.server?.close();
    await env.smtp?.close();
  });

  /** The dispatcher's tick (the server's own runs every 30 s), then the next `n` mails. */
  async function nextMails(n: number): Promise<ReceivedMail[]> {
    await env.server.notices.tick();
    const mails: ReceivedMail[] = [];
    while (mails.length < n) mails.push(await env.smtp.nextMail());
    return mails;
  }

  it('schedules from the keyboard, lists it, downloads its .ics, edits and cancels it', async () => {
    const context = await env.browser.newContext({
      viewport: SCREEN_SIZES.laptop,
      timezoneId: 'Europe/Berlin',
      locale: 'en-US',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('[ada] page error:', err.message));
    await page.goto(env.server.url);
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Your name').fill('Ada');
    await page.getByLabel('Email').fill('ada@example.org');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Signed in as Ada').waitFor();

    // Keyboard only from here to the scheduled meeting.
    await page.getByRole('button', { name: 'Schedule a meeting' }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Schedule a meeting' });
    await form.waitFor();
    await tabTo(page, 'schedule-title');
    await page.keyboard.type('Weekly sync');
    const d = mondayBeforeDst();
    await tabTo(page, 'schedule-date');
    await page.keyboard.type(`${String(d.month).padStart(2, '0')}${d.day}${d.year}`);
    await tabTo(page, 'schedule-time');
    await page.keyboard.type('0900AM');
    await tabTo(page, 'schedule-duration');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('45');
    expect(await page.locator('#schedule-zone').inputValue()).toBe('Europe/Berlin');
    await page.keyboard.press('Tab'); // the time zone: the browser's
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // Repeat weekly
    await tabTo(page, 'schedule-count');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('3');
    await tabTo(page, 'schedule-invitees');
    await page.keyboard.type('bob@example.org, carol@example.org');
    const date = `${d.year}-03-${String(d.day).padStart(2, '0')}`;
    expect(await page.locator('#schedule-date').inputValue()).toBe(date);
    expect(await page.locator('#schedule-time').inputValue()).toBe('09:00');
    expect(await wcagAtBothSizes(page, 'schedule-form', SHOTS)).toEqual([]);
    await tabTo(page, 'schedule-title');
    await page.keyboard.press('Enter');

    await page.getByRole('status').filter({ hasText: 'Scheduled “Weekly sync”' }).waitFor();
    expect(summary(await nextMails(2))).toEqual([
      'bob@example.org Invitation: Weekly sync',
      'carol@example.org Invitation: Weekly sync',
    ]);
    const upcoming = page.getByRole('region', { name: 'Upcoming' });
    const item = upcoming.getByRole('listitem').filter({ hasText: 'Weekly sync' });
    await item.waitFor();
    expect(await item.textContent()).toContain('9:00 AM (Europe/Berlin), weekly, 3 times, 45 min');
    const link = item.getByRole('link', { name: /\/r\// });
    expect(await link.getAttribute('href')).toMatch(/^\/r\/[A-Za-z0-9_-]+$/);
    expect(await wcagAtBothSizes(page, 'upcoming', SHOTS)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: 'Download .ics' }).click(),
    ]);
    const cal = parseCalendar(readFileSync(await download.path(), 'utf8'));
    expect(cal.method).toBe('REQUEST');
    expect(cal.events[0]?.tzid).toBe('Europe/Berlin');
    const utc = (day: number, hour: number) =>
      new Date(Date.UTC(d.year, 2, day, hour)).toISOString();
    expect(cal.events[0]?.starts).toEqual([utc(d.day, 8), utc(d.day + 7, 7), utc(d.day + 14, 7)]);

    // The private feed: a link that works without a login, until it is turned off.
    await page.getByRole('button', { name: 'Get a feed link' }).click();
    const feedUrl = await page.getByLabel('Your private feed link (shown once)').inputValue();
    const feed = await fetch(feedUrl);
    expect(feed.status).toBe(200);
    const subscribed = parseCalendar(await feed.text());
    expect(subscribed.method).toBe('PUBLISH');
    expect(subscribed.events.map((e) => e.summary)).toEqual(['Weekly sync']);
    expect(await wcagAtBothSizes(page, 'calendar-feed', SHOTS)).toEqual([]);
    await page.getByRole('button', { name: 'Turn the feed off' }).click();
    await page.getByText('The feed link no longer works.').waitFor();
    expect((await fetch(feedUrl)).status).toBe(404);

    // Keyboard only: move it to 10:30, take Carol off, no waiting room, a password.
    await item.getByRole('button', { name: 'Edit' }).focus();
    await page.keyboard.press('Enter');
    const edit = item.getByRole('form', { name: 'Edit Weekly sync' });
    await edit.waitFor();
    const ids = (await edit.getByLabel('Title').getAttribute('id'))!.replace(/-title$/, '');
    // The form took the focus (the Edit button that had it is gone).
    expect(await focusedId(page)).toBe(`${ids}-title`);
    expect(await edit.getByLabel('Waiting room: you let each guest in').isChecked()).toBe(true);
    await tabTo(page, `${ids}-time`);
    await page.keyboard.type('1030AM');
    await tabTo(page, `${ids}-invitees`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('bob@example.org');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space'); // the waiting room, off
    await tabTo(page, `${ids}-password`);
    await page.keyboard.type('a long room password');
    expect(await wcagAtBothSizes(page, 'edit-form', SHOTS)).toEqual([]);
    await page.keyboard.press('Enter');
    await upcoming.getByText('10:30 AM (Europe/Berlin)').waitFor();

    // Carol's calendar drops the entry (the same UID, a later SEQUENCE); Bob's is updated.
    const changed = await nextMails(2);
    expect(summary(changed)).toEqual([
      'bob@example.org Updated: Weekly sync',
      'carol@example.org Cancelled: Weekly sync',
    ]);
    const cancelled = calendarOf(changed.find((m) => m.to.includes('carol@example.org'))!);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.events[0]?.uid).toBe(cal.events[0]?.uid);
    expect(cancelled.events[0]!.sequence).toBeGreaterThan(cal.events[0]!.sequence);

    // Opened again, the form shows the room as saved: no waiting room, a password to keep,
    // change or remove.
    const saved = upcoming.getByRole('listitem').filter({ hasText: 'Weekly sync' });
    await saved.getByRole('button', { name: 'Edit' }).focus();
    await page.keyboard.press('Enter');
    const again = saved.getByRole('form', { name: 'Edit Weekly sync' });
    await again.getByLabel('Remove the room password', { exact: false }).waitFor();
    expect(await again.getByLabel('Waiting room: you let each guest in').isChecked()).toBe(false);
    expect(await again.getByLabel(/^New room password/).inputValue()).toBe('');
    expect(await wcagAtBothSizes(page, 'edit-form-password', SHOTS)).toEqual([]);
    await again.getByRole('button', { name: 'Discard changes' }).focus();
    await page.keyboard.press('Enter');
    await again.waitFor({ state: 'detached' });

    // Cancel it: it leaves the list.
    const moved = upcoming.getByRole('listitem').filter({ hasText: 'Weekly sync' });
    await moved.getByRole('button', { name: 'Cancel meeting' }).click();
    await moved.getByRole('button', { name: 'Yes, cancel it' }).click();
    await upcoming.getByText('Meetings you schedule or are invited to show up here.').waitFor();
    expect(await upcoming.getByRole('listitem').count()).toBe(0);
    // Only Bob is still invited: only he hears of the cancellation.
    expect(summary(await nextMails(1))).toEqual(['bob@example.org Cancelled: Weekly sync']);
    await context.close();
  });
});
