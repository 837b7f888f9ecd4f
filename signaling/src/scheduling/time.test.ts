import { describe, expect, it } from 'vitest';
import { occurrencesOf } from './occurrences.ts';
import { instantOf, isTimeZone, parseWall } from './time.ts';

const at = (text: string, tz: string) => new Date(instantOf(parseWall(text)!, tz)).toISOString();

describe('wall times in IANA zones', () => {
  it.each([
    ['2027-03-22T09:00', 'Europe/Berlin', '2027-03-22T08:00:00.000Z'],
    ['2027-03-29T09:00', 'Europe/Berlin', '2027-03-29T07:00:00.000Z'],
    // The hour the clocks skip lands an hour later; the repeated one takes its first instant.
    ['2027-03-28T02:30', 'Europe/Berlin', '2027-03-28T01:30:00.000Z'],
    ['2027-10-31T02:30', 'Europe/Berlin', '2027-10-31T00:30:00.000Z'],
    ['2027-03-10T15:00', 'America/New_York', '2027-03-10T20:00:00.000Z'],
    ['2027-03-15T15:00', 'America/New_York', '2027-03-15T19:00:00.000Z'],
    ['2027-01-01T00:00', 'Asia/Kolkata', '2026-12-31T18:30:00.000Z'],
    ['2027-06-01T12:00', 'UTC', '2027-06-01T12:00:00.000Z'],
  ])('%s in %s is %s', (wall, tz, utc) => {
    expect(at(wall, tz)).toBe(utc);
  });

  it('knows real zones and dates only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('../../etc')).toBe(false);
    expect(parseWall('2027-02-29T09:00')).toBeUndefined();
    expect(parseWall('2027-03-22T24:00')).toBeUndefined();
    expect(parseWall('2028-02-29T09:00')).toEqual({
      year: 2028,
      month: 2,
      day: 29,
      hour: 9,
      minute: 0,
    });
  });

  it('repeats weekly at the same wall time, by count or until a date', () => {
    const base = { start: '2027-03-22T09:00', timeZone: 'Europe/Berlin' };
    const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString().slice(0, 16));
    expect(iso(occurrencesOf({ ...base, recurrence: { freq: 'weekly', count: 2 } }))).toEqual([
      '2027-03-22T08:00',
      '2027-03-29T07:00',
    ]);
    const until = occurrencesOf({ ...base, recurrence: { freq: 'weekly', until: '2027-04-12' } });
    expect(iso(until)).toEqual([
      '2027-03-22T08:00',
      '2027-03-29T07:00',
      '2027-04-05T07:00',
      '2027-04-12T07:00',
    ]);
    expect(occurrencesOf({ ...base, recurrence: null })).toHaveLength(1);
  });
});
