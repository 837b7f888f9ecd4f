import type { Attendee, FeedbackEntry, MeetingSummary as MeetingView } from '@parley/protocol';
import { csvCell } from '../classroom/pollCsv.ts';
import type { AttendanceInterval, MeetingSummary, StoredFeedback } from '../store/index.ts';

/**
 * A meeting's intervals as one row per person (issue 21): the first join, the last leave and
 * the time in the meeting, where overlapping stays (a second tab, a reconnect that overlapped
 * the old socket) count once and separate stays (left and came back) add up. A stay still
 * open counts until `now`. The earliest arrival first.
 */
export function attendeesOf(intervals: readonly AttendanceInterval[], now: number): Attendee[] {
  const people = new Map<string, AttendanceInterval[]>();
  for (const i of intervals) people.set(i.personKey, [...(people.get(i.personKey) ?? []), i]);
  const rows = [...people.values()].map((stays) => {
    const sorted = [...stays].sort((a, b) => a.joinedAt - b.joinedAt);
    let durationMs = 0;
    let count = 0;
    let end = -Infinity;
    let start = 0;
    for (const s of sorted) {
      const until = s.leftAt ?? Math.max(now, s.joinedAt);
      if (s.joinedAt > end) {
        if (count > 0) durationMs += end - start;
        count++;
        start = s.joinedAt;
        end = until;
      } else end = Math.max(end, until);
    }
    durationMs += end - start;
    const last = sorted[sorted.length - 1] as AttendanceInterval;
    const open = sorted.some((s) => s.leftAt === null);
    const account = sorted.find((s) => s.email !== null);
    return {
      name: last.name,
      account:
        account && account.email !== null
          ? { name: account.accountName ?? account.name, email: account.email }
          : null,
      firstJoinedAt: (sorted[0] as AttendanceInterval).joinedAt,
      lastLeftAt: open ? null : Math.max(...sorted.map((s) => s.leftAt ?? 0)),
      durationMs,
      stays: count,
    };
  });
  return rows.sort((a, b) => a.firstJoinedAt - b.firstJoinedAt || a.name.localeCompare(b.name));
}

/** What the hosts' list shows of a meeting. */
export function meetingView({
  id,
  startedAt,
  endedAt,
  attendees,
  ratings,
  averageStars,
}: MeetingSummary): MeetingView {
  return { id, startedAt, endedAt, attendees, ratings, averageStars };
}

export function feedbackView(feedback: readonly StoredFeedback[]): FeedbackEntry[] {
  return feedback.map(({ stars, comment, at }) => ({ stars, comment, at }));
}

/** The attendance CSV's columns (PROTOCOL.md documents them). */
export const ATTENDANCE_CSV_HEADER = [
  'name',
  'account_email',
  'first_joined',
  'last_left',
  'minutes',
  'stays',
] as const;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/**
 * A meeting's attendance as CSV, one row per person, in the poll CSV's style (RFC 4180 cells,
 * formula-looking names defused by `csvCell`). Minutes with one decimal; `last_left` is empty
 * for someone still in the meeting.
 */
export function attendanceCsv(attendees: readonly Attendee[]): string {
  const rows: (string | number)[][] = [[...ATTENDANCE_CSV_HEADER]];
  for (const a of attendees) {
    rows.push([
      a.account?.name ?? a.name,
      a.account?.email ?? '',
      iso(a.firstJoinedAt),
      iso(a.lastLeftAt),
      (Math.round(a.durationMs / 6_000) / 10).toFixed(1),
      a.stays,
    ]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
