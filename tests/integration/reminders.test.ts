// Issue 21, reminders by email end to end: a real Parley server sends its notices through a real
// SMTP server the test runs (smtp-server), on the test's clock. A meeting scheduled 16 minutes
// ahead with the default 15-minute lead: each invitee gets the invitation at once, exactly one
// reminder once the lead is reached, and nothing more; a cancelled meeting gets its
// cancellation and no reminder; someone an edit takes off the invitees gets a cancellation of
// the same calendar entry and no reminder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledMeeting, SessionResponse } from '@parley/protocol';
import { parseCalendar } from './support/calendar.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';
import { startTestSmtp } from './support/smtp.ts';
import type { ReceivedMail, TestSmtp } from './support/smtp.ts';

/** The clock: a Monday noon, UTC, on a minute. */
const T0 = Date.UTC(2027, 4, 3, 12, 0);
const MIN = 60_000;
const INVITEES = ['bob@x.test', 'carol@x.test'];

/** "YYYY-MM-DDTHH:mm" in UTC, as the schedule form sends a wall time. */
const wallTime = (t: number) => new Date(t).toISOString().slice(0, 16);

describe('email reminders through a real SMTP server (issue 21)', () => {
  let smtp: TestSmtp;
  let server: TestServer;
  const clock = { t: T0 };
  let token = '';

  beforeAll(async () => {
    smtp = await startTestSmtp();
    server = await startTestServer({
      mail: smtp.mail,
      now: () => clock.t,
    });
    const res = await call('POST', '/api/auth/signup', {
      email: 'ada@x.test',
      password: 'correct horse battery staple',
      name: 'Ada',
    });
    expect(res.status).toBe(201);
    token = ((await res.json()) as SessionResponse).accessToken;
  }, 30_000);
  afterAll(async () => {
    await server?.dispose();
    await smtp?.close();
  });

  function call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(server.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** Schedules a 30-minute meeting starting `inMin` minutes from now, inviting INVITEES. */
  async function schedule(title: string, inMin: number): Promise<ScheduledMeeting> {
    const res = await call('POST', '/api/schedule', {
      title,
      start: wallTime(clock.t + inMin * MIN),
      durationMin: 30,
      timeZone: 'UTC',
      invitees: INVITEES,
    });
    expect(res.status).toBe(201);
    return (await res.json()) as ScheduledMeeting;
  }

  /** One dispatcher tick at `t`; the mails it sent have arrived when it resolves. */
  async function tickAt(t: number): Promise<ReceivedMail[]> {
    clock.t = t;
    await server.notices.tick();
    const mails: ReceivedMail[] = [];
    while (smtp.pending() > 0) mails.push(await smtp.nextMail());
    return mails;
  }

  /** Who got what: "bob@x.test Reminder: Title, ..." per mail, sorted. */
  const summary = (mails: ReceivedMail[]) =>
    mails.map((m) => `${m.to.join()} ${m.parsed.subject?.split(',')[0]}`).sort();

  it('invites at once, reminds each invitee exactly once at the lead time, then says nothing', async () => {
    const m = await schedule('Design review', 16);

    const invitations = await tickAt(T0);
    expect(summary(invitations)).toEqual(
      INVITEES.map((e) => `${e} Invitation: Design review`).sort(),
    );
    for (const mail of invitations) {
      expect(mail.parsed.text).toContain(m.url);
      expect(mail.parsed.html || '').toContain(m.url);
      const ics = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
      const calendar = parseCalendar(ics!.content.toString('utf8'));
      expect(calendar.method).toBe('REQUEST');
    }

    // Thirty seconds later the meeting is 15.5 minutes away: not yet.
    expect(await tickAt(T0 + 30_000)).toEqual([]);
    // Past the one-minute mark it is within the 15-minute lead: one reminder each.
    const reminders = await tickAt(T0 + MIN + 1_000);
    expect(summary(reminders)).toEqual(INVITEES.map((e) => `${e} Reminder: Design review`).sort());
    for (const mail of reminders) {
      expect(mail.parsed.text).toContain(m.url);
      expect(mail.parsed.text).toContain('12:16');
    }
    // Later ticks, up to and past the start, send nothing more.
    for (const later of [2, 5, 15, 16, 20]) expect(await tickAt(T0 + later * MIN)).toEqual([]);
  });

  it('sends the cancellation of a cancelled meeting, and no reminder for it', async () => {
    const start = clock.t;
    const m = await schedule('Cancelled sync', 16);
    expect(await tickAt(start)).toHaveLength(INVITEES.length);

    expect((await call('DELETE', `/api/schedule/${m.id}`)).status).toBe(204);
    const cancellations = await tickAt(start + 10_000);
    expect(summary(cancellations)).toEqual(
      INVITEES.map((e) => `${e} Cancelled: Cancelled sync`).sort(),
    );
    const ics = cancellations[0]!.parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(parseCalendar(ics!.content.toString('utf8')).method).toBe('CANCEL');

    for (const later of [1, 2, 5, 15, 16])
      expect(await tickAt(start + later * MIN + 1_000)).toEqual([]);
  });

  it('cancels the entry for someone taken off the invitees, and reminds only those still invited', async () => {
    const start = T0 + 60 * MIN;
    clock.t = start;
    const m = await schedule('Team sync', 16);
    const invitations = await tickAt(start);
    expect(invitations).toHaveLength(INVITEES.length);
    const [removed, kept] = INVITEES as [string, string];
    const invitation = calendarOf(invitations.find((mail) => mail.to.includes(removed))!);

    const edit = await call('PATCH', `/api/schedule/${m.id}`, { invitees: [kept] });
    expect(edit.status).toBe(200);
    const notices = await tickAt(start + 10_000);
    expect(summary(notices)).toEqual(
      [`${removed} Cancelled: Team sync`, `${kept} Updated: Team sync`].sort(),
    );
    const cancellation = notices.find((mail) => mail.to.includes(removed))!;
    expect(cancellation.parsed.text).toContain('took you off');
    // The same entry (UID), a later SEQUENCE: the calendar drops the event it has.
    const cancelled = calendarOf(cancellation);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.events).toHaveLength(1);
    expect(cancelled.events[0]).toMatchObject({
      uid: invitation.events[0]!.uid,
      status: 'CANCELLED',
    });
    expect(cancelled.events[0]!.sequence).toBeGreaterThan(invitation.events[0]!.sequence);

    // Once within the lead, only the one still invited is reminded; then nothing more.
    const reminders = await tickAt(start + MIN + 1_000);
    expect(summary(reminders)).toEqual([`${kept} Reminder: Team sync`]);
    for (const later of [2, 5, 15, 16]) expect(await tickAt(start + later * MIN)).toEqual([]);
  });
});

/** The mail's `.ics` attachment as ical.js reads it. */
function calendarOf(mail: ReceivedMail) {
  const ics = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!ics) throw new Error(`no calendar attached to "${mail.parsed.subject ?? ''}"`);
  return parseCalendar(ics.content.toString('utf8'));
}
