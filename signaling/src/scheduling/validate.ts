import { SCHEDULE_ERROR_CODES, SCHEDULE_LIMITS } from '@parley/protocol';
import type { Recurrence } from '@parley/protocol';
import { occurrencesOf } from './occurrences.ts';
import { addDays, dateOf, isTimeZone, parseWall } from './time.ts';

/** A refusal with its HTTP status and stable code (answered as `{error: {code, message}}`). */
export class ScheduleError extends Error {
  override name = 'ScheduleError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (code: string, message: string) => new ScheduleError(400, code, message);

/** Lenient on purpose (RFC 5322 allows far more), strict on what breaks headers and lists. */
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

/** Lower-cased and without repeats; BAD_EMAIL names the first that is not an address. */
export function cleanInvitees(emails: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of emails) {
    const email = raw.trim().toLowerCase();
    if (!EMAIL.test(email)) throw bad(SCHEDULE_ERROR_CODES.BAD_EMAIL, `not an email: "${raw}"`);
    out.add(email);
  }
  return [...out];
}

export interface Timing {
  start: string;
  timeZone: string;
  durationMin: number;
  recurrence: Recurrence | null;
}

/**
 * The occurrences' span, once the time zone is real, the start a real wall time that is not
 * past (a minute's grace for a form sent at the turn of one) nor too far ahead, and the
 * recurrence ends after it starts and within OCCURRENCES_MAX.
 */
export function checkTiming(t: Timing, now: number): { firstStart: number; lastEnd: number } {
  if (!isTimeZone(t.timeZone))
    throw bad(SCHEDULE_ERROR_CODES.BAD_TIME_ZONE, `unknown time zone: "${t.timeZone}"`);
  const first = parseWall(t.start);
  if (!first) throw bad(SCHEDULE_ERROR_CODES.BAD_TIME, `not a real date and time: "${t.start}"`);
  const r = t.recurrence;
  if (r && 'until' in r) {
    if (!parseWall(r.until) || r.until < dateOf(first))
      throw bad(
        SCHEDULE_ERROR_CODES.BAD_RECURRENCE,
        'the repetition must end on or after the start',
      );
    if (dateOf(addDays(first, 7 * SCHEDULE_LIMITS.OCCURRENCES_MAX)) <= r.until) {
      const message = `at most ${SCHEDULE_LIMITS.OCCURRENCES_MAX} occurrences`;
      throw bad(SCHEDULE_ERROR_CODES.BAD_RECURRENCE, message);
    }
  }
  const starts = occurrencesOf(t);
  const firstStart = starts[0] ?? 0;
  if (firstStart < now - 60_000) throw bad(SCHEDULE_ERROR_CODES.BAD_TIME, 'the start is past');
  if (firstStart > now + SCHEDULE_LIMITS.AHEAD_DAYS_MAX * 86_400_000) {
    const message = `the start is more than ${SCHEDULE_LIMITS.AHEAD_DAYS_MAX} days ahead`;
    throw bad(SCHEDULE_ERROR_CODES.BAD_TIME, message);
  }
  return { firstStart, lastEnd: (starts.at(-1) ?? firstStart) + t.durationMin * 60_000 };
}
