import type { PeerId, RoomId } from '@parley/protocol';
import type {
  AttendanceInterval,
  MeetingRecord,
  MeetingSummary,
  SeriesComment,
  SeriesFeedback,
  StoredFeedback,
} from './types.ts';

/** Rows as either driver returns them (the SELECTs alias columns to these names). */
export type MeetingRow = Record<keyof MeetingRecord, unknown>;
export type SummaryRow = MeetingRow & Record<'attendees' | 'ratings' | 'averageStars', unknown>;
export type IntervalRow = Record<keyof AttendanceInterval, unknown>;
export type FeedbackRow = Record<keyof StoredFeedback, unknown>;
export type SeriesTotalsRow = Record<Exclude<keyof SeriesFeedback, 'latest'>, unknown>;
export type SeriesCommentRow = Record<keyof SeriesComment, unknown>;

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

/**
 * A room's series totals (`?` or `$1`: the room id). The LEFT JOIN counts unrated meetings too;
 * COUNT(f.comment) counts only ratings with one (an empty comment is stored as NULL).
 */
export const seriesTotalsSql = (room: string) => `SELECT COUNT(DISTINCT m.id) AS "meetings",
  COUNT(f.stars) AS "ratings", AVG(f.stars) AS "averageStars", COUNT(f.comment) AS "comments"
  FROM meetings m LEFT JOIN meeting_feedback f ON f.meeting_id = m.id WHERE m.room_id = ${room}`;

/** A room's comments, the newest meeting first (placeholders: the room id, the limit). */
export const seriesCommentsSql = (room: string, limit: string) => `SELECT m.id AS "meetingId",
  m.started_at AS "meetingStartedAt", f.stars AS "stars", f.comment AS "comment",
  f.rated_at AS "at" FROM meeting_feedback f JOIN meetings m ON m.id = f.meeting_id
  WHERE m.room_id = ${room} AND f.comment IS NOT NULL
  ORDER BY m.started_at DESC, m.id, f.rated_at DESC, f.person_key LIMIT ${limit}`;

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

/** PostgreSQL's COUNT is a bigint and AVG a numeric (strings): both read as numbers. */
export function seriesOf(totals: SeriesTotalsRow | undefined, rows: SeriesCommentRow[]) {
  return {
    meetings: Number(totals?.meetings ?? 0),
    ratings: Number(totals?.ratings ?? 0),
    averageStars: num(totals?.averageStars),
    comments: Number(totals?.comments ?? 0),
    latest: rows.map((r) => ({
      meetingId: String(r.meetingId),
      meetingStartedAt: Number(r.meetingStartedAt),
      stars: Number(r.stars),
      comment: String(r.comment),
      at: Number(r.at),
    })),
  } satisfies SeriesFeedback;
}
