/**
 * Every mail Parley sends, as subject, plain text and HTML (issue 21). Whatever came from a
 * person (a name, a meeting's title) is escaped in the HTML; links are ours (SITE_URL based).
 */
import type { MeetingNotice, NoticeKind } from '../notices/channel.ts';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** A short HTML document around `body` (already escaped), readable in any mail client. */
function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a">',
    body,
    '<p style="color: #555; font-size: 0.9em">Sent by Parley.</p>',
    '</body></html>',
  ].join('\n');
}

const button = (href: string, label: string): string =>
  `<p><a href="${escapeHtml(href)}" style="display: inline-block; padding: 0.6em 1.2em; ` +
  `background: #1f5fbf; color: #fff; text-decoration: none; border-radius: 6px">` +
  `${escapeHtml(label)}</a></p>`;

/** The password reset mail: the link, how long it works, and what to do if it was not you. */
export function passwordResetMail(input: { name: string; link: string; ttlMin: number }) {
  const { name, link, ttlMin } = input;
  const subject = 'Reset your Parley password';
  const text = [
    `Hello ${name},`,
    '',
    'Someone (we hope you) asked to reset the password of your Parley account.',
    `Open this link within ${ttlMin} minutes to choose a new one (it works once):`,
    '',
    link,
    '',
    'Choosing a new password signs you out everywhere else.',
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ].join('\n');
  const html = page(
    subject,
    [
      `<p>Hello ${escapeHtml(name)},</p>`,
      '<p>Someone (we hope you) asked to reset the password of your Parley account. ' +
        `Open this link within ${ttlMin} minutes to choose a new one (it works once):</p>`,
      button(link, 'Choose a new password'),
      `<p style="word-break: break-all">${escapeHtml(link)}</p>`,
      '<p>Choosing a new password signs you out everywhere else. If you did not ask for ' +
        'this, ignore this mail: your password stays as it is.</p>',
    ].join('\n'),
  );
  return { subject, text, html } satisfies RenderedMail;
}

/** What each kind of notice says: the subject's word and the opening sentence. */
const NOTICE_WORDING: Record<NoticeKind, { word: string; opening: (organiser: string) => string }> =
  {
    invitation: { word: 'Invitation', opening: (o) => `${o} invites you to a meeting on Parley.` },
    updated: { word: 'Updated', opening: (o) => `${o} changed this meeting. The new details:` },
    cancelled: { word: 'Cancelled', opening: (o) => `${o} cancelled this meeting.` },
    uninvited: {
      word: 'Cancelled',
      opening: (o) => `${o} took you off this meeting's invitees: it is cancelled for you.`,
    },
    reminder: { word: 'Reminder', opening: () => 'Your meeting on Parley starts soon.' },
  };

/**
 * A start as the organiser meant it, in the meeting's time zone: "Tuesday 8 December 2026,
 * 14:30–15:15 (Europe/Paris)". Built from parts, so it reads the same whatever the server's
 * own locale and zone.
 */
export function meetingTime(startsAt: number, durationMin: number, timeZone: string): string {
  const parts = (at: number) => {
    const format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const found = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    return found as Record<'weekday' | 'day' | 'month' | 'year' | 'hour' | 'minute', string>;
  };
  const start = parts(startsAt);
  const end = parts(startsAt + durationMin * 60_000);
  const date = `${start.weekday} ${start.day} ${start.month} ${start.year}`;
  return `${date}, ${start.hour}:${start.minute}–${end.hour}:${end.minute} (${timeZone})`;
}

/** "45 minutes", "1 hour", "1 hour 30 minutes". */
export function durationText(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (hours === 0) return unit(rest, 'minute');
  return rest === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(rest, 'minute')}`;
}

/** No line breaks or other control characters in a header (a title is the person's text). */
// eslint-disable-next-line no-control-regex -- control characters are what is removed
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** A meeting notice (invitation, change, cancellation, reminder) as a mail. */
export function noticeMail(notice: MeetingNotice): RenderedMail {
  const { meeting, kind } = notice;
  const { word, opening } = NOTICE_WORDING[kind];
  const when = meetingTime(meeting.startsAt, meeting.durationMin, meeting.timeZone);
  const cancelled = kind === 'cancelled' || kind === 'uninvited';
  const subject = oneLine(`${word}: ${meeting.title}, ${when}`);
  const details: [string, string][] = [
    ['When', when],
    ['Duration', durationText(meeting.durationMin)],
    ['Organiser', meeting.organiser],
  ];
  const linkLabel = cancelled ? 'The room (no longer needed)' : 'Join';
  const text = [
    opening(meeting.organiser),
    '',
    meeting.title,
    ...details.map(([label, value]) => `${label}: ${value}`),
    `${linkLabel}: ${meeting.url}`,
  ].join('\n');
  const rows = details
    .map(([label, value]) => `<tr><th align="left">${label}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const html = page(
    subject,
    [
      `<p>${escapeHtml(opening(meeting.organiser))}</p>`,
      `<h1 style="font-size: 1.3em">${escapeHtml(meeting.title)}</h1>`,
      `<table cellpadding="4">\n${rows}\n</table>`,
      cancelled
        ? `<p>${linkLabel}: <a href="${escapeHtml(meeting.url)}">${escapeHtml(meeting.url)}</a></p>`
        : button(meeting.url, 'Join the meeting') +
          `\n<p style="word-break: break-all">${escapeHtml(meeting.url)}</p>`,
    ].join('\n'),
  );
  return { subject, text, html };
}
