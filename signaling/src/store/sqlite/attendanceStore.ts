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
import type { Db } from './db.ts';

type Arrival = Omit<AttendanceInterval, 'email' | 'accountName' | 'leftAt'>;

/** Attendance and feedback in SQLite (the embedded default: one node). */
export class SqliteAttendanceStore implements AttendanceStore {
  readonly #begin;
  readonly #arrive;
  readonly #departOne;
  readonly #departAll;
  readonly #end;
  readonly #touch;
  readonly #endSilent;
  readonly #purge;
  readonly #meetings;
  readonly #meeting;
  readonly #intervals;
  readonly #rate;
  readonly #feedback;
  readonly #seriesTotals;
  readonly #seriesComments;

  constructor(db: Db) {
    const open = db.prepare<[string], { id: string; alive_at: number }>(
      'SELECT id, alive_at FROM meetings WHERE room_id = ? AND ended_at IS NULL',
    );
    // MAX(joined_at, ?): an interval never ends before it began (a pulse older than a join).
    const closeOpen = db.prepare<[number, string]>(
      'UPDATE attendance SET left_at = MAX(joined_at, ?) WHERE meeting_id = ? AND left_at IS NULL',
    );
    const alive = db.prepare<[number, string]>('UPDATE meetings SET alive_at = ? WHERE id = ?');
    const endAt = db.prepare<[number, number, string]>(
      'UPDATE meetings SET ended_at = ?, alive_at = ? WHERE id = ? AND ended_at IS NULL',
    );
    // A meeting whose node stopped ends at its last pulse, or at the last stay that node closed
    // after it (a graceful stop closes them on its way out): never before a stay ended.
    const endSilent = db.prepare<[string]>(
      `UPDATE meetings SET ended_at = MAX(alive_at, COALESCE(
         (SELECT MAX(left_at) FROM attendance WHERE meeting_id = meetings.id), alive_at))
       WHERE id = ? AND ended_at IS NULL`,
    );
    const insert = db.prepare<[string, string, number, number]>(
      'INSERT INTO meetings (id, room_id, started_at, alive_at) VALUES (?, ?, ?, ?)',
    );
    this.#begin = db.transaction(
      (roomId: string, newId: string, now: number, goneMs: number): BegunMeeting => {
        const running = open.get(roomId);
        if (running) {
          closeOpen.run(running.alive_at, running.id);
          if (now - running.alive_at <= goneMs) {
            alive.run(now, running.id);
            return { id: running.id, continued: true };
          }
          endSilent.run(running.id);
        }
        insert.run(newId, roomId, now, now);
        return { id: newId, continued: false };
      },
    );
    this.#arrive = db.prepare(
      `INSERT INTO attendance (meeting_id, peer_id, joined_at, person_key, name, user_id)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    // Only stays that began by `at`: a late write from a node the room moved away from must not
    // close the stay its peer began on the next node.
    this.#departOne = db.prepare<[number, string, string, number]>(
      `UPDATE attendance SET left_at = ?
       WHERE meeting_id = ? AND peer_id = ? AND left_at IS NULL AND joined_at <= ?`,
    );
    this.#departAll = db.prepare<[number, string, number]>(
      `UPDATE attendance SET left_at = ?
       WHERE meeting_id = ? AND left_at IS NULL AND joined_at <= ?`,
    );
    this.#end = db.transaction((meetingId: string, at: number) => {
      closeOpen.run(at, meetingId);
      endAt.run(at, at, meetingId);
    });
    const touch = db.prepare<[number, string]>(
      'UPDATE meetings SET alive_at = ? WHERE room_id = ? AND ended_at IS NULL',
    );
    this.#touch = db.transaction((roomIds: readonly string[], now: number) => {
      for (const id of roomIds) touch.run(now, id);
    });
    const silent = db.prepare<[number, number], { id: string; alive_at: number }>(
      `SELECT id, alive_at FROM meetings WHERE ended_at IS NULL AND alive_at < ?
       ORDER BY alive_at LIMIT ?`,
    );
    this.#endSilent = db.transaction((before: number, limit: number): number => {
      const gone = silent.all(before, limit);
      for (const m of gone) {
        closeOpen.run(m.alive_at, m.id);
        endSilent.run(m.id);
      }
      return gone.length;
    });
    this.#purge = db.prepare<[number, number]>(
      `DELETE FROM meetings WHERE id IN (SELECT id FROM meetings
       WHERE ended_at IS NOT NULL AND ended_at < ? ORDER BY ended_at LIMIT ?)`,
    );
    this.#meetings = db.prepare<[string, number], SummaryRow>(
      `${SUMMARY_SELECT} WHERE m.room_id = ? ORDER BY m.started_at DESC, m.id LIMIT ?`,
    );
    this.#meeting = db.prepare<[string], MeetingRow>(`${MEETING_SELECT} WHERE m.id = ?`);
    this.#intervals = db.prepare<[string], IntervalRow>(
      `${INTERVAL_SELECT} WHERE a.meeting_id = ? ORDER BY a.joined_at, a.peer_id`,
    );
    this.#rate = db.prepare(
      `INSERT INTO meeting_feedback (meeting_id, person_key, stars, comment, rated_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.#feedback = db.prepare<[string], FeedbackRow>(
      `SELECT stars AS "stars", comment AS "comment", rated_at AS "at" FROM meeting_feedback
       WHERE meeting_id = ? ORDER BY rated_at, person_key`,
    );
    this.#seriesTotals = db.prepare<[string], SeriesTotalsRow>(seriesTotalsSql('?'));
    this.#seriesComments = db.prepare<[string, number], SeriesCommentRow>(
      seriesCommentsSql('?', '?'),
    );
  }

  async begin(roomId: RoomId, newId: string, now: number, goneMs: number): Promise<BegunMeeting> {
    return this.#begin(roomId, newId, now, goneMs);
  }

  async arrive(meetingId: string, a: Arrival): Promise<void> {
    this.#arrive.run(meetingId, a.peerId, a.joinedAt, a.personKey, a.name, a.userId);
  }

  async depart(meetingId: string, peerId: PeerId | null, at: number): Promise<void> {
    if (peerId === null) this.#departAll.run(at, meetingId, at);
    else this.#departOne.run(at, meetingId, peerId, at);
  }

  async end(meetingId: string, at: number): Promise<void> {
    this.#end(meetingId, at);
  }

  async touch(roomIds: readonly RoomId[], now: number): Promise<void> {
    if (roomIds.length > 0) this.#touch(roomIds, now);
  }

  async endSilent(before: number, limit: number): Promise<number> {
    return this.#endSilent(before, limit);
  }

  async purge(before: number, limit: number): Promise<number> {
    return this.#purge.run(before, limit).changes;
  }

  async meetings(roomId: RoomId, limit: number): Promise<MeetingSummary[]> {
    return this.#meetings.all(roomId, limit).map(summaryOf);
  }

  async meeting(meetingId: string): Promise<MeetingRecord | undefined> {
    const row = this.#meeting.get(meetingId);
    return row && meetingOf(row);
  }

  async intervals(meetingId: string): Promise<AttendanceInterval[]> {
    return this.#intervals.all(meetingId).map(intervalOf);
  }

  async rate(meetingId: string, personKey: string, f: StoredFeedback): Promise<boolean> {
    return this.#rate.run(meetingId, personKey, f.stars, f.comment, f.at).changes > 0;
  }

  async feedback(meetingId: string): Promise<StoredFeedback[]> {
    return this.#feedback.all(meetingId).map(feedbackOf);
  }

  async seriesFeedback(roomId: RoomId, limit: number): Promise<SeriesFeedback> {
    // Both reads run back to back in this process: no write can come between them.
    return seriesOf(this.#seriesTotals.get(roomId), this.#seriesComments.all(roomId, limit));
  }
}
