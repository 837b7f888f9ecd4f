import { describe, expect, it } from 'vitest';
import { durationText, escapeHtml, meetingTime } from './templates.ts';

describe('mail templates', () => {
  it.each([
    [5, '5 minutes'],
    [1, '1 minute'],
    [60, '1 hour'],
    [90, '1 hour 30 minutes'],
    [121, '2 hours 1 minute'],
  ])('says %i minutes as "%s"', (minutes, text) => {
    expect(durationText(minutes)).toBe(text);
  });

  it.each([
    // Winter and summer time, and a zone west of UTC where the date differs from UTC's.
    [Date.UTC(2026, 11, 8, 13, 30), 45, 'Europe/Paris', 'Tuesday 8 December 2026, 14:30–15:15'],
    [Date.UTC(2026, 6, 8, 13, 30), 60, 'Europe/Paris', 'Wednesday 8 July 2026, 15:30–16:30'],
    [Date.UTC(2026, 11, 8, 2, 0), 30, 'America/New_York', 'Monday 7 December 2026, 21:00–21:30'],
  ])('shows %i in its own zone', (startsAt, minutes, zone, expected) => {
    expect(meetingTime(startsAt, minutes, zone)).toBe(`${expected} (${zone})`);
  });

  it('escapes what HTML would read as markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});
