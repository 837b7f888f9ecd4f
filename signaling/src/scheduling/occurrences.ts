import { SCHEDULE_LIMITS } from '@parley/protocol';
import type { Recurrence } from '@parley/protocol';
import { addDays, dateOf, instantOf, parseWall } from './time.ts';

/** What decides when a meeting happens. */
export interface When {
  /** `YYYY-MM-DDTHH:mm` in `timeZone`. */
  start: string;
  timeZone: string;
  recurrence: Recurrence | null;
}

/**
 * Every occurrence's start (ms since the epoch), the first first: one for a single meeting,
 * each week's same wall time for a weekly one, at most OCCURRENCES_MAX. Empty when `start` is
 * not a real time (validated before it is stored, so only for bad input).
 */
export function occurrencesOf(when: When): number[] {
  const first = parseWall(when.start);
  if (!first) return [];
  const r = when.recurrence;
  const out: number[] = [];
  for (let i = 0; i < SCHEDULE_LIMITS.OCCURRENCES_MAX; i++) {
    const wall = addDays(first, 7 * i);
    if (r === null ? i > 0 : 'count' in r ? i >= r.count : dateOf(wall) > r.until) break;
    out.push(instantOf(wall, when.timeZone));
  }
  return out;
}

/** The first occurrence that has not ended by `now`, else the last one. */
export function nextOccurrence(starts: readonly number[], durationMin: number, now: number) {
  return starts.find((s) => s + durationMin * 60_000 > now) ?? starts.at(-1) ?? 0;
}
