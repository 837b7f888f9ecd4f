import type { RoomId } from '@parley/protocol';
import { RecurrenceSchema } from '@parley/protocol';
import type { NoticeKind } from '../notices/channel.ts';
import type { DeliveryRecord, DeliveryStatus, ScheduledRecord } from './types.ts';

/** Rows as either driver returns them (the SELECTs alias columns to these names). */
export type ScheduledRow = Record<Exclude<keyof ScheduledRecord, 'invitees'>, unknown> & {
  invitees: unknown;
};
export type DeliveryRow = Record<keyof DeliveryRecord, unknown>;

/**
 * A meeting with its invitees folded into one text (`\n`-separated: an email has no newline),
 * so one query reads a page of meetings. `invitees_of` is the engine's aggregate.
 */
export const scheduledSelect = (aggregate: string): string => `SELECT s.id AS "id",
  s.owner_id AS "ownerId", s.room_id AS "roomId", s.title AS "title", s.local_start AS "start",
  s.time_zone AS "timeZone", s.duration_min AS "durationMin", s.recurrence AS "recurrence",
  s.first_start AS "firstStart", s.last_end AS "lastEnd", s.sequence AS "sequence",
  s.noticed_sequence AS "noticedSequence", s.created_at AS "createdAt",
  s.updated_at AS "updatedAt", s.cancelled_at AS "cancelledAt",
  (SELECT ${aggregate} FROM scheduled_invitees i WHERE i.meeting_id = s.id) AS "invitees"
  FROM scheduled_meetings s`;

export const DELIVERY_SELECT = `SELECT meeting_id AS "meetingId", occurrence AS "occurrence",
  email AS "email", channel AS "channel", kind AS "kind", status AS "status",
  attempts AS "attempts", next_at AS "nextAt", last_error AS "lastError",
  updated_at AS "updatedAt" FROM notice_deliveries`;

/**
 * The kinds a cancelled meeting may still be claimed for: its cancellation, and the one owed to
 * someone an earlier edit took off it.
 */
export const CANCELLING_KINDS = "('cancelled', 'uninvited')";

/**
 * Who is owed a cancellation for being taken off a meeting (placeholders: its id, the sequence
 * already noticed): removed after it, and sent its invitation or an update before.
 */
export const uninvitedSql = (id: string, after: string) => `SELECT r.email AS "email",
  r.sequence AS "sequence" FROM scheduled_removals r
  WHERE r.meeting_id = ${id} AND r.sequence > ${after} AND EXISTS (SELECT 1
    FROM notice_deliveries d WHERE d.meeting_id = r.meeting_id AND d.email = r.email
    AND d.kind IN ('invitation', 'updated') AND d.status = 'sent')
  ORDER BY r.sequence, r.email`;

function recurrenceOf(v: unknown) {
  if (v === null || v === undefined) return null;
  const parsed = RecurrenceSchema.safeParse(JSON.parse(String(v)));
  return parsed.success ? parsed.data : null;
}

export function scheduledOf(row: ScheduledRow): ScheduledRecord {
  const invitees = row.invitees === null ? [] : String(row.invitees).split('\n').sort();
  return {
    id: String(row.id),
    ownerId: String(row.ownerId),
    roomId: String(row.roomId) as RoomId,
    title: String(row.title),
    start: String(row.start),
    timeZone: String(row.timeZone),
    durationMin: Number(row.durationMin),
    recurrence: recurrenceOf(row.recurrence),
    invitees: invitees.filter((e) => e !== ''),
    firstStart: Number(row.firstStart),
    lastEnd: Number(row.lastEnd),
    sequence: Number(row.sequence),
    noticedSequence: Number(row.noticedSequence),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
    cancelledAt: row.cancelledAt === null ? null : Number(row.cancelledAt),
  };
}

export function deliveryOf(row: DeliveryRow): DeliveryRecord {
  return {
    meetingId: String(row.meetingId),
    occurrence: Number(row.occurrence),
    email: String(row.email),
    channel: String(row.channel),
    kind: String(row.kind) as NoticeKind,
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAt: Number(row.nextAt),
    lastError: row.lastError === null ? null : String(row.lastError),
    updatedAt: Number(row.updatedAt),
  };
}

/** The text column a recurrence is kept in. */
export const recurrenceText = (r: ScheduledRecord['recurrence']): string | null =>
  r === null ? null : JSON.stringify(r);
