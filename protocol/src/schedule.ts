import { z } from 'zod';
import { LIMITS, SCHEDULE_LIMITS } from './limits.ts';

/**
 * Scheduled meetings (issue 21), over HTTP only, for signed-in users. A meeting is scheduled
 * at a wall-clock time in an IANA time zone (so a weekly one keeps 09:00 across a DST change),
 * gets its room at once, and invites people by email. Its calendar entry (`.ics`) and each
 * user's private calendar feed carry a stable UID and a SEQUENCE bumped on every change.
 */

/** `YYYY-MM-DDTHH:mm`, a wall-clock time in the meeting's time zone. */
export const LocalDateTimeSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
/** `YYYY-MM-DD`. */
export const LocalDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Weekly, ending after `count` occurrences or on the `until` date (inclusive), not both. */
export const RecurrenceSchema = z.union([
  z.strictObject({
    freq: z.literal('weekly'),
    count: z.number().int().min(2).max(SCHEDULE_LIMITS.OCCURRENCES_MAX),
  }),
  z.strictObject({ freq: z.literal('weekly'), until: LocalDateSchema }),
]);
export type Recurrence = z.infer<typeof RecurrenceSchema>;

const fields = {
  title: z.string().trim().min(1).max(SCHEDULE_LIMITS.TITLE_MAX),
  start: LocalDateTimeSchema,
  durationMin: z.number().int().min(5).max(SCHEDULE_LIMITS.DURATION_MIN_MAX),
  timeZone: z.string().min(1).max(64),
  recurrence: RecurrenceSchema.nullable(),
  invitees: z
    .array(z.string().trim().max(SCHEDULE_LIMITS.EMAIL_MAX))
    .max(SCHEDULE_LIMITS.INVITEES_MAX),
};

const roomPassword = z.string().min(LIMITS.ROOM_PASSWORD_MIN).max(LIMITS.ROOM_PASSWORD_MAX);

/** `POST /api/schedule`: the meeting, and its room's waiting room and password. */
export const ScheduleRequestSchema = z.strictObject({
  ...fields,
  recurrence: fields.recurrence.optional(),
  invitees: fields.invitees.optional(),
  waitingRoom: z.boolean().optional(),
  password: roomPassword.optional(),
});
export type ScheduleRequest = z.infer<typeof ScheduleRequestSchema>;

/**
 * `PATCH /api/schedule/<id>`: what changes. `waitingRoom` and `password` change the room (a
 * meeting running in it sees them at once); `password: null` removes it, none keeps it.
 */
export const ScheduleEditSchema = z
  .strictObject({ ...fields, waitingRoom: z.boolean(), password: roomPassword.nullable() })
  .partial();
export type ScheduleEdit = z.infer<typeof ScheduleEditSchema>;

/** A scheduled meeting as its organiser and invitees see it. */
export interface ScheduledMeeting {
  id: string;
  title: string;
  start: string;
  timeZone: string;
  durationMin: number;
  recurrence: Recurrence | null;
  invitees: string[];
  roomId: string;
  /** The room's link, absolute. */
  url: string;
  organiser: string;
  /** Whether the asker organises it (may edit and cancel). */
  mine: boolean;
  /** The next occurrence's start (or the last one's, once all began), ms since the epoch. */
  nextStartsAt: number;
  /** Bumped on every change; the calendar entry's SEQUENCE. */
  sequence: number;
  cancelled: boolean;
  /**
   * Its room's waiting room, and whether it has a password: for the organiser, in answers about
   * this one meeting (scheduling, reading, editing it), not in lists.
   */
  room?: { waitingRoom: boolean; hasPassword: boolean };
}

/** `GET /api/schedule`: the asker's upcoming meetings, the next occurrence first. */
export interface UpcomingResponse {
  meetings: ScheduledMeeting[];
}

/** `POST /api/calendar/feed`: a new private feed URL; the previous one stops working. */
export interface CalendarFeedResponse {
  url: string;
}

/** Codes of scheduling's refusals (400 unless said). */
export const SCHEDULE_ERROR_CODES = {
  /** Not an IANA time zone this server knows. */
  BAD_TIME_ZONE: 'BAD_TIME_ZONE',
  /** Not a real date or time, in the past, or too far ahead. */
  BAD_TIME: 'BAD_TIME',
  /** The recurrence ends before it starts, or has too many occurrences. */
  BAD_RECURRENCE: 'BAD_RECURRENCE',
  /** An invitee is not an email address. */
  BAD_EMAIL: 'BAD_EMAIL',
  /** 404: no such meeting, or not the asker's to see. */
  MEETING_NOT_FOUND: 'MEETING_NOT_FOUND',
  /** 409: the meeting was cancelled; it cannot change. */
  MEETING_CANCELLED: 'MEETING_CANCELLED',
} as const;
