/**
 * Wall-clock times in IANA time zones, with nothing but `Intl`: a weekly meeting at 09:00
 * Europe/Berlin is 08:00 UTC in winter and 07:00 UTC in summer, so each occurrence is the same
 * local time on a date 7 days on, converted to UTC on its own.
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    // A bounded cache: only zones that passed isTimeZone get here, and there are ~600 of them.
    if (formatters.size < 1000) formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `Intl` knows this IANA zone (`UTC` included). */
export function isTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z0-9_+/-]{1,64}$/.test(timeZone)) return false;
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall time in `timeZone` at the instant `t` (ms since the epoch). */
export function wallAt(t: number, timeZone: string): WallTime {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(new Date(t))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
  };
}

const asUtc = (w: WallTime): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);

/**
 * The instant a wall time happens in `timeZone`. A time the clocks skip (02:30 on the spring
 * change) lands an hour later, as calendars do; a repeated one takes its first instant.
 */
export function instantOf(w: WallTime, timeZone: string): number {
  const guess = asUtc(w);
  const before = guess - (asUtc(wallAt(guess, timeZone)) - guess);
  const offset = asUtc(wallAt(before, timeZone)) - before;
  const t = guess - offset;
  // A repeated hour: the earlier instant with the same wall time, when there is one.
  const earlier = t - 3_600_000;
  return asUtc(wallAt(earlier, timeZone)) === guess ? earlier : t;
}

/** Parses `YYYY-MM-DDTHH:mm` (or `YYYY-MM-DD`, at 00:00); undefined unless it is a real date. */
export function parseWall(text: string): WallTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const w = { year, month, day, hour, minute } as WallTime;
  const d = new Date(asUtc(w));
  const real =
    d.getUTCFullYear() === w.year &&
    d.getUTCMonth() + 1 === w.month &&
    d.getUTCDate() === w.day &&
    w.hour < 24 &&
    w.minute < 60;
  return real ? w : undefined;
}

/** The same wall time `days` later (calendar days, not 24-hour steps). */
export function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `YYYY-MM-DD` of a wall time, for comparing with an `until` date. */
export const dateOf = (w: WallTime): string =>
  `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
