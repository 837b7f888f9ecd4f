import ICAL from 'ical.js';

/** One VEVENT as an independent parser (ical.js) reads it, with its zones registered. */
export interface ParsedEvent {
  uid: string;
  sequence: number;
  status: string | null;
  summary: string;
  /** DTSTART's TZID, as written. */
  tzid: string | null;
  /** Each occurrence's start, as an ISO UTC string, expanded by ical.js from the RRULE. */
  starts: string[];
}

export interface ParsedCalendar {
  method: string | null;
  events: ParsedEvent[];
}

/** Parses an iCalendar text with ical.js; throws when it is not one. */
export function parseCalendar(text: string): ParsedCalendar {
  const root = new ICAL.Component(ICAL.parse(text));
  for (const tz of root.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  }
  const events = root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const starts: string[] = [];
    const it = event.iterator();
    for (let t = it.next(); t && starts.length < 200; t = it.next()) {
      starts.push(t.toJSDate().toISOString());
    }
    const dtstart = vevent.getFirstProperty('dtstart');
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
      summary: event.summary,
      tzid: (dtstart?.getParameter('tzid') as string | undefined) ?? null,
      starts,
    };
  });
  return { method: (root.getFirstPropertyValue('method') as string | null) ?? null, events };
}
