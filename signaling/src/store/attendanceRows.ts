import type { PeerId, RoomId } from '@parley/protocol';
import type { AttendanceInterval, MeetingRecord, MeetingSummary, StoredFeedback } from './types.ts';

/** Rows as either driver returns them (the SELECTs alias columns to these names). */
export type MeetingRow = Record<keyof MeetingRecord, unknown>;
export type SummaryRow = MeetingRow & Record<'attendees' | 'ratings' | 'averageStars', unknown>;
export type IntervalRow = Record<keyof AttendanceInterval, unknown>;
export type FeedbackRow = Record<keyof StoredFeedback, unknown>;

export const MEETING_SELECT = `SELECT m.id AS "id", m.room_id AS "roomId", m.started_at AS "startedAt",
  m.ended_at AS "endedAt", m.alive_at AS "aliveAt" FROM meetings m`;

/** The list's columns: each meeting with its people and ratings counted. */
export const SUMMARY_SELECT = `SELECT m.id AS "id", m.room_id AS "roomId",
  m.started_at AS "startedAt", m.ended_at AS "endedAt", m.alive_at AS "aliveAt",
  (SELECT COUNT(DISTINCT a.person_key) FROM attendance a WHERE a.meeting_id = m.id) AS "attendees",
  (SELECT COUNT(*) FROM meeting_feedback f WHERE f.meeting_id = m.id) AS "ratings",
  (SELECT AVG(f.stars) FROM meeting_feedback f WHERE f.meeting_id = m.id) AS "averageStars"
  FROM meetings m`;

export const INTERVAL_SELECT = `SELECT a.peer_id AS "peerId", a.person_key AS "personKey",
  a.name AS "name", a.user_id AS "userId", u.email AS "email", u.name AS "accountName",
  a.joined_at AS "joinedAt", a.left_at AS "leftAt"
  FROM attendance a LEFT JOIN users u ON u.id = a.user_id`;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function meetingOf(row: MeetingRow): MeetingRecord {
  return {
    id: String(row.id),
    roomId: String(row.roomId) as RoomId,
    startedAt: Number(row.startedAt),
    endedAt: num(row.endedAt),
    aliveAt: Number(row.aliveAt),
  };
}

/** PostgreSQL's AVG is numeric (a string) and COUNT a bigint: both read as numbers. */
export function summaryOf(row: SummaryRow): MeetingSummary {
  return {
    ...meetingOf(row),
    attendees: Number(row.attendees),
    ratings: Number(row.ratings),
    averageStars: num(row.averageStars),
  };
}

export function intervalOf(row: IntervalRow): AttendanceInterval {
  return {
    peerId: String(row.peerId) as PeerId,
    personKey: String(row.personKey),
    name: String(row.name),
    userId: str(row.userId),
    email: str(row.email),
    accountName: str(row.accountName),
    joinedAt: Number(row.joinedAt),
    leftAt: num(row.leftAt),
  };
}

export function feedbackOf(row: FeedbackRow): StoredFeedback {
  return { stars: Number(row.stars), comment: str(row.comment), at: Number(row.at) };
}
