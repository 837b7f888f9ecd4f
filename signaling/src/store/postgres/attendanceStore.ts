import type { PeerId, RoomId } from '@parley/protocol';
import {
  INTERVAL_SELECT,
  MEETING_SELECT,
  SUMMARY_SELECT,
  feedbackOf,
  intervalOf,
  meetingOf,
  seriesCommentsSql,
  seriesOf,
  seriesTotalsSql,
  summaryOf,
} from '../attendanceRows.ts';
import type {
  FeedbackRow,
  IntervalRow,
  MeetingRow,
  SeriesCommentRow,
  SeriesTotalsRow,
  SummaryRow,
} from '../attendanceRows.ts';
import type {
  AttendanceInterval,
  AttendanceStore,
  BegunMeeting,
  MeetingRecord,
  MeetingSummary,
  SeriesFeedback,
  StoredFeedback,
} from '../types.ts';
import type { PgPool, Tx } from './pool.ts';

type Arrival = Omit<AttendanceInterval, 'email' | 'accountName' | 'leftAt'>;

/** GREATEST(joined_at, $1): an interval never ends before it began (a pulse older than a join). */
const CLOSE_OPEN = `UPDATE attendance SET left_at = GREATEST(joined_at, $1)
  WHERE meeting_id = $2 AND left_at IS NULL`;
const END = 'UPDATE meetings SET ended_at = $1, alive_at = $1 WHERE id = $2 AND ended_at IS NULL';
/**
 * A meeting whose node stopped ends at its last pulse, or at the last stay that node closed after
 * it (a graceful stop closes them on its way out): never before a stay ended.
 */
const END_SILENT = `UPDATE meetings SET ended_at = GREATEST(alive_at, COALESCE(
  (SELECT MAX(a.left_at) FROM attendance a WHERE a.meeting_id = meetings.id), alive_at))
  WHERE id = $1 AND ended_at IS NULL`;

/** Attendance and feedback in PostgreSQL: what every node of a cluster writes and reads. */
export class PgAttendanceStore implements AttendanceStore {
  constructor(private readonly pool: PgPool) {}

  /** The room's open meeting row is locked, so a second node's begin waits for this one. */
  begin(roomId: RoomId, newId: string, now: number, goneMs: number): Promise<BegunMeeting> {
    return this.pool.transaction(async (tx) => {
      const [running] = await tx.query<{ id: string; alive_at: number }>(
        'SELECT id, alive_at FROM meetings WHERE room_id = $1 AND ended_at IS NULL FOR UPDATE',
        [roomId],
      );
      if (running) {
        await tx.query(CLOSE_OPEN, [running.alive_at, running.id]);
        if (now - running.alive_at <= goneMs) {
          await tx.query('UPDATE meetings SET alive_at = $1 WHERE id = $2', [now, running.id]);
          return { id: running.id, continued: true };
        }
        await tx.query(END_SILENT, [running.id]);
      }
      const inserted = await tx.query(
        `INSERT INTO meetings (id, room_id, started_at, alive_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT DO NOTHING RETURNING id`,
        [newId, roomId, now],
      );
      if (inserted.length > 0) return { id: newId, continued: false };
      // Another node started one meanwhile (it held the room a moment ago): that one goes on.
      const [other] = await tx.query<{ id: string }>(
        'SELECT id FROM meetings WHERE room_id = $1 AND ended_at IS NULL',
        [roomId],
      );
      if (!other) throw new Error(`no open meeting for room ${roomId}`);
      return { id: other.id, continued: true };
    });
  }

  async arrive(meetingId: string, a: Arrival): Promise<void> {
    await this.pool.query(
      `INSERT INTO attendance (meeting_id, peer_id, joined_at, person_key, name, user_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [meetingId, a.peerId, a.joinedAt, a.personKey, a.name, a.userId],
    );
  }

  async depart(meetingId: string, peerId: PeerId | null, at: number): Promise<void> {
    // Only stays that began by `at`: a late write from a node the room moved away from must not
    // close the stay its peer began on the next node.
    const depart = `UPDATE attendance SET left_at = $1
      WHERE meeting_id = $2 AND left_at IS NULL AND joined_at <= $1`;
    if (peerId === null) await this.pool.query(depart, [at, meetingId]);
    else await this.pool.query(`${depart} AND peer_id = $3`, [at, meetingId, peerId]);
  }

  async end(meetingId: string, at: number): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query(CLOSE_OPEN, [at, meetingId]);
      await tx.query(END, [at, meetingId]);
    });
  }

  async touch(roomIds: readonly RoomId[], now: number): Promise<void> {
    if (roomIds.length === 0) return;
    await this.pool.query(
      'UPDATE meetings SET alive_at = $1 WHERE room_id = ANY($2::text[]) AND ended_at IS NULL',
      [now, roomIds],
    );
  }

  endSilent(before: number, limit: number): Promise<number> {
    return this.pool.transaction(async (tx: Tx) => {
      // SKIP LOCKED: two nodes sweeping at once share the work instead of waiting on each other.
      const gone = await tx.query<{ id: string; alive_at: number }>(
        `SELECT id, alive_at FROM meetings WHERE ended_at IS NULL AND alive_at < $1
         ORDER BY alive_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [before, limit],
      );
      for (const m of gone) {
        await tx.query(CLOSE_OPEN, [m.alive_at, m.id]);
        await tx.query(END_SILENT, [m.id]);
      }
      return gone.length;
    });
  }

  async purge(before: number, limit: number): Promise<number> {
    const rows = await this.pool.query(
      `DELETE FROM meetings WHERE id IN (SELECT id FROM meetings
       WHERE ended_at IS NOT NULL AND ended_at < $1 ORDER BY ended_at LIMIT $2) RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }

  async meetings(roomId: RoomId, limit: number): Promise<MeetingSummary[]> {
    const rows = await this.pool.query<SummaryRow>(
      `${SUMMARY_SELECT} WHERE m.room_id = $1 ORDER BY m.started_at DESC, m.id LIMIT $2`,
      [roomId, limit],
    );
    return rows.map(summaryOf);
  }

  async meeting(meetingId: string): Promise<MeetingRecord | undefined> {
    const [row] = await this.pool.query<MeetingRow>(`${MEETING_SELECT} WHERE m.id = $1`, [
      meetingId,
    ]);
    return row && meetingOf(row);
  }

  async intervals(meetingId: string): Promise<AttendanceInterval[]> {
    const rows = await this.pool.query<IntervalRow>(
      `${INTERVAL_SELECT} WHERE a.meeting_id = $1 ORDER BY a.joined_at, a.peer_id`,
      [meetingId],
    );
    return rows.map(intervalOf);
  }

  async rate(meetingId: string, personKey: string, f: StoredFeedback): Promise<boolean> {
    const rows = await this.pool.query(
      `INSERT INTO meeting_feedback (meeting_id, person_key, stars, comment, rated_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING stars`,
      [meetingId, personKey, f.stars, f.comment, f.at],
    );
    return rows.length > 0;
  }

  async feedback(meetingId: string): Promise<StoredFeedback[]> {
    const rows = await this.pool.query<FeedbackRow>(
      `SELECT stars AS "stars", comment AS "comment", rated_at AS "at" FROM meeting_feedback
       WHERE meeting_id = $1 ORDER BY rated_at, person_key`,
      [meetingId],
    );
    return rows.map(feedbackOf);
  }

  /** One snapshot (REPEATABLE READ), so the totals count the comments listed with them. */
  seriesFeedback(roomId: RoomId, limit: number): Promise<SeriesFeedback> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const [totals] = await tx.query<SeriesTotalsRow>(seriesTotalsSql('$1'), [roomId]);
      const rows = await tx.query<SeriesCommentRow>(seriesCommentsSql('$1', '$2'), [roomId, limit]);
      return seriesOf(totals, rows);
    });
  }
}
