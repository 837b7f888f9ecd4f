import ical, { ICalCalendarMethod, ICalEventRepeatingFreq, ICalEventStatus } from 'ical-generator';
import type { ICalCalendar } from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { ScheduledRecord } from '../store/index.ts';
import { occurrencesOf } from './occurrences.ts';
import { parseWall } from './time.ts';

/** What a calendar entry needs beyond the stored meeting. */
export interface EntryContext {
  /** The room's absolute link. */
  url: string;
  organiser: { name: string; email: string };
  /** The UID's domain part: stable, so a calendar matches updates to the entry it has. */
  domain: string;
}

/** The VTIMEZONE of each zone used, from timezones-ical-library (its block, not its TZID line). */
function vtimezone(tz: string): string | null {
  const block = tzlib_get_ical_block(tz);
  return Array.isArray(block) && typeof block[0] === 'string' && block[0] !== '' ? block[0] : null;
}

/**
 * ical-generator writes a JavaScript Date with a TZID from the Date's own local fields (the
 * process's zone). A Date made from the wall time's fields with the local constructor has
 * exactly those fields, so DTSTART reads `TZID=Europe/Berlin:20270322T090000` wherever the
 * server runs.
 */
function wallDate(start: string, plusMin = 0): Date {
  const w = parseWall(start);
  if (!w) throw new Error(`not a wall time: ${start}`);
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute + plusMin);
}

function addEntry(cal: ICalCalendar, m: ScheduledRecord, ctx: EntryContext, now: number): void {
  const count = occurrencesOf(m).length;
  const event = cal.createEvent({
    id: `${m.id}@${ctx.domain}`,
    sequence: m.sequence,
    stamp: new Date(now),
    lastModified: new Date(m.updatedAt),
    created: new Date(m.createdAt),
    start: wallDate(m.start),
    end: wallDate(m.start, m.durationMin),
    timezone: m.timeZone,
    summary: m.title,
    description: `Join: ${ctx.url}`,
    location: ctx.url,
    url: ctx.url,
    organizer: ctx.organiser,
    status: m.cancelledAt === null ? ICalEventStatus.CONFIRMED : ICalEventStatus.CANCELLED,
    // COUNT, also for an `until` recurrence: the occurrences were counted in the meeting's zone.
    repeating: count > 1 ? { freq: ICalEventRepeatingFreq.WEEKLY, count } : null,
  });
  for (const email of m.invitees) event.createAttendee({ email, rsvp: true });
}

/**
 * One meeting's entry: METHOD:REQUEST (an invitation or its update), or METHOD:CANCEL once it
 * is cancelled. The same UID every time, and the SEQUENCE the store bumped on each change.
 */
export function meetingIcs(m: ScheduledRecord, ctx: EntryContext, now: number): string {
  const cancelled = m.cancelledAt !== null;
  const cal = ical({
    prodId: { company: 'Parley', product: 'Parley', language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    timezone: { name: null, generator: vtimezone },
  });
  addEntry(cal, m, ctx, now);
  return cal.toString();
}

/**
 * The entry for someone an edit took off the invitees (RFC 5546 3.2.5: the organiser sends the
 * removed attendee a CANCEL): METHOD:CANCEL for the same UID, at the SEQUENCE the edit raised,
 * naming that attendee alone, so their calendar drops it while everyone else's keeps it.
 */
export function uninvitedIcs(
  m: ScheduledRecord,
  email: string,
  ctx: EntryContext,
  now: number,
): string {
  return meetingIcs(
    { ...m, invitees: [email], cancelledAt: m.cancelledAt ?? m.updatedAt },
    ctx,
    now,
  );
}

/** A user's feed (METHOD:PUBLISH): their meetings, the cancelled ones as STATUS:CANCELLED. */
export function feedIcs(
  name: string,
  entries: readonly { meeting: ScheduledRecord; ctx: EntryContext }[],
  now: number,
): string {
  const cal = ical({
    name,
    prodId: { company: 'Parley', product: 'Parley', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    timezone: { name: null, generator: vtimezone },
    ttl: 15 * 60,
  });
  for (const { meeting, ctx } of entries) addEntry(cal, meeting, ctx, now);
  return cal.toString();
}
