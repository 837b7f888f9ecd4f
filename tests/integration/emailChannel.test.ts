// The email notice channel (issue 21) against a real SMTP server on a loopback port: every
// kind of notice arrives with both parts, the room link, the local time and its calendar entry.
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailChannel, SmtpMailer } from '@parley/signaling';
import type { MeetingNotice, NoticeKind } from '@parley/signaling';
import { startTestSmtp } from './support/smtp.ts';
import type { TestSmtp } from './support/smtp.ts';

const URL_OF_ROOM = 'https://meet.example.test/r/abcdefghijklmnopqrstuv';
const meeting = {
  id: 'm1',
  title: 'Budget <review> & plans',
  // 13:30 UTC is 14:30 in Paris in December.
  startsAt: Date.UTC(2026, 11, 8, 13, 30),
  durationMin: 90,
  timeZone: 'Europe/Paris',
  url: URL_OF_ROOM,
  organiser: 'Grace "G" Hopper',
};

function ics(method: 'REQUEST' | 'CANCEL'): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Parley//test//EN',
    `METHOD:${method}`,
    'BEGIN:VEVENT',
    'UID:m1@meet.example.test',
    'DTSTAMP:20261201T000000Z',
    'DTSTART:20261208T133000Z',
    'DURATION:PT90M',
    'SUMMARY:Budget review',
    method === 'CANCEL' ? 'STATUS:CANCELLED' : 'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

const SUBJECT_WORD: Record<NoticeKind, string> = {
  invitation: 'Invitation',
  updated: 'Updated',
  cancelled: 'Cancelled',
  uninvited: 'Cancelled',
  reminder: 'Reminder',
};

describe('email notice channel', () => {
  let smtp: TestSmtp;
  let mailer: SmtpMailer;
  let channel: EmailChannel;
  beforeAll(async () => {
    smtp = await startTestSmtp();
    const config = { smtpUrl: smtp.url, from: 'parley@example.test' };
    mailer = new SmtpMailer({ ...config, timeoutMs: 5000 });
    channel = new EmailChannel(mailer);
  });
  afterAll(async () => {
    mailer?.close();
    await smtp?.close();
  });

  it('is on with a mailer, and reaches whoever has an email', async () => {
    expect(channel.name).toBe('email');
    expect(channel.enabled).toBe(true);
    expect(await channel.reaches({ email: 'ada@example.test', userId: null })).toBe(true);
    expect(await channel.reaches({ email: 'not an email', userId: 'u1' })).toBe(false);
    const off = new EmailChannel(undefined);
    expect(off.enabled).toBe(false);
    expect(await off.reaches({ email: 'ada@example.test', userId: null })).toBe(false);
    const notice: MeetingNotice = { kind: 'reminder', meeting };
    await expect(off.send({ email: 'ada@example.test', userId: null }, notice)).rejects.toThrow(
      /not set up/,
    );
  });

  it.each([
    ['invitation', 'REQUEST'],
    ['updated', 'REQUEST'],
    ['cancelled', 'CANCEL'],
    ['uninvited', 'CANCEL'],
    ['reminder', undefined],
  ] as const)(
    'sends a %s with both parts, the time in its zone and the entry',
    async (kind, method) => {
      const notice: MeetingNotice = { kind, meeting, ...(method ? { ics: ics(method) } : {}) };
      await channel.send({ email: 'Ada@Example.test', userId: null }, notice);
      const mail = await smtp.nextMail();
      const when = 'Tuesday 8 December 2026, 14:30–16:00 (Europe/Paris)';
      expect(mail.to).toEqual(['ada@example.test']);
      expect(mail.parsed.subject).toBe(`${SUBJECT_WORD[kind]}: Budget <review> & plans, ${when}`);
      const text = mail.parsed.text ?? '';
      const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
      for (const part of [text, html]) {
        expect(part).toContain(URL_OF_ROOM);
        expect(part).toContain(when);
        expect(part).toContain('1 hour 30 minutes');
      }
      expect(text).toContain('Budget <review> & plans');
      expect(text).toContain('Organiser: Grace "G" Hopper');
      // The title and the organiser are people's text: escaped in the HTML.
      expect(html).toContain('Budget &lt;review&gt; &amp; plans');
      expect(html).toContain('Grace &quot;G&quot; Hopper');
      expect(html).not.toContain('<review>');
      if (!method) {
        expect(mail.parsed.attachments).toEqual([]);
        return;
      }
      const [attachment, ...others] = mail.parsed.attachments;
      expect(others).toEqual([]);
      expect(attachment?.filename).toBe('notice.ics');
      expect(attachment?.contentType).toBe('text/calendar');
      const type = attachment?.headers.get('content-type') as { params?: Record<string, string> };
      expect(type.params?.method).toBe(method);
      const calendar = new ICAL.Component(ICAL.parse(attachment?.content.toString('utf8') ?? ''));
      expect(calendar.getFirstPropertyValue('method')).toBe(method);
      const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent') ?? undefined);
      expect(event.startDate.toJSDate().getTime()).toBe(meeting.startsAt);
    },
  );

  it('throws when the mail server refuses, for the scheduler to retry', async () => {
    smtp.refuse = true;
    try {
      const notice: MeetingNotice = { kind: 'reminder', meeting };
      await expect(
        channel.send({ email: 'ada@example.test', userId: null }, notice),
      ).rejects.toThrow(/550/);
    } finally {
      smtp.refuse = false;
    }
  });
});
