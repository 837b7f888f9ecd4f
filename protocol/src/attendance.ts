import { z } from 'zod';
import { LIMITS } from './limits.ts';

/**
 * Attendance and feedback (issue 21), over HTTP only. The server records who was admitted to
 * each meeting (one session of a room, from its first admission until nobody is left) and
 * for how long; the room's hosts list the meetings, read one (attendees, ratings, comments)
 * and download its attendance as CSV. Each admitted person gets a `feedbackTicket` in
 * `joined`: after leaving, the app asks "How was it?" and posts the rating with it.
 */

/** A meeting's id, minted by the server. */
export const MeetingIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,32}$/);

/** `POST /api/feedback`: one rating per person and meeting; the comment is optional. */
export const FeedbackRequestSchema = z.strictObject({
  ticket: z.string().min(1).max(LIMITS.FEEDBACK_TICKET_MAX),
  stars: z.number().int().min(1).max(5),
  comment: z.string().trim().max(LIMITS.FEEDBACK_COMMENT_MAX).optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

/** A meeting in its room's list (`GET /api/rooms/<id>/meetings`), the newest first. */
export const MeetingSummarySchema = z.object({
  id: MeetingIdSchema,
  startedAt: z.number(),
  /** Null while it runs. */
  endedAt: z.number().nullable(),
  /** Distinct people admitted. */
  attendees: z.number().int(),
  ratings: z.number().int(),
  /** The mean of the stars, null without ratings. */
  averageStars: z.number().nullable(),
});
export type MeetingSummary = z.infer<typeof MeetingSummarySchema>;

/** One person in a meeting's attendance: a guest by the name they gave, a member by account. */
export const AttendeeSchema = z.object({
  name: z.string(),
  /** The signed-in account they joined with; null for a guest. */
  account: z.object({ name: z.string(), email: z.string() }).nullable(),
  firstJoinedAt: z.number(),
  /** Null while they are in the meeting. */
  lastLeftAt: z.number().nullable(),
  /** Time in the meeting: overlapping stays (two tabs, a reconnect) count once. */
  durationMs: z.number().int(),
  /** Separate stays: a person who left and came back has two. */
  stays: z.number().int(),
});
export type Attendee = z.infer<typeof AttendeeSchema>;

/** A rating as the hosts see it: not who gave it. */
export const FeedbackEntrySchema = z.object({
  stars: z.number().int().min(1).max(5),
  comment: z.string().nullable(),
  at: z.number(),
});
export type FeedbackEntry = z.infer<typeof FeedbackEntrySchema>;

/** `GET /api/rooms/<id>/meetings/<meetingId>`. */
export const MeetingReportSchema = z.object({
  meeting: MeetingSummarySchema,
  attendees: z.array(AttendeeSchema),
  feedback: z.array(FeedbackEntrySchema),
});
export type MeetingReport = z.infer<typeof MeetingReportSchema>;

/** A comment in a room's series summary, with the meeting it is about. */
export const SeriesCommentSchema = z.object({
  meetingId: MeetingIdSchema,
  /** When that meeting began: the date the hosts know it by. */
  meetingStartedAt: z.number(),
  stars: z.number().int().min(1).max(5),
  comment: z.string(),
  at: z.number(),
});
export type SeriesComment = z.infer<typeof SeriesCommentSchema>;

/**
 * `GET /api/rooms/<id>/feedback`: the ratings of every meeting the room keeps, as one series.
 * A weekly scheduled meeting is one room, so its occurrences are these meetings; so is a room
 * people come back to without a schedule.
 */
export const SeriesFeedbackSchema = z.object({
  /** Meetings kept (ATTENDANCE_RETENTION_DAYS), rated or not. */
  meetings: z.number().int(),
  ratings: z.number().int(),
  /** The mean of all their stars, null without ratings. */
  averageStars: z.number().nullable(),
  /** Ratings with a comment, all of them; `latest` lists at most SERIES_COMMENTS_LISTED. */
  comments: z.number().int(),
  /** The comments, the newest meeting's first and within a meeting the newest first. */
  latest: z.array(SeriesCommentSchema),
});
export type SeriesFeedback = z.infer<typeof SeriesFeedbackSchema>;
