import {
  CANCELLING_KINDS,
  DELIVERY_SELECT,
  deliveryOf,
  recurrenceText,
  scheduledOf,
  scheduledSelect,
  uninvitedSql,
} from '../scheduleRows.ts';
import type { DeliveryRow, ScheduledRow } from '../scheduleRows.ts';
import type {
  DeliveryKey,
  DeliveryRecord,
  NoticeStore,
  Removal,
  ScheduleChange,
  ScheduleStore,
  ScheduledRecord,
} from '../types.ts';
import type { Db } from './db.ts';

const SELECT = scheduledSelect('group_concat(i.email, char(10))');
const KEY_WHERE = 'meeting_id = ? AND occurrence = ? AND email = ? AND channel = ? AND kind = ?';
const keyOf = (k: DeliveryKey) => [k.meetingId, k.occurrence, k.email, k.channel, k.kind];

/** Scheduled meetings and calendar feeds in SQLite (the embedded default: one node). */
export class SqliteScheduleStore implements ScheduleStore {
  readonly #create;
  readonly #update;
  readonly #db;

  constructor(db: Db) {
    this.#db = db;
    const active = db.prepare<[string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM scheduled_meetings
       WHERE owner_id = ? AND cancelled_at IS NULL AND last_end > ?`,
    );
    const insert = db.prepare(
      `INSERT INTO scheduled_meetings (id, owner_id, room_id, title, local_start, time_zone,
         duration_min, recurrence, first_start, last_end, sequence, noticed_sequence,
         created_at, updated_at, cancelled_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    );
    const invite = db.prepare('INSERT OR IGNORE INTO scheduled_invitees VALUES (?, ?)');
    const uninviteAll = db.prepare('DELETE FROM scheduled_invitees WHERE meeting_id = ?');
    // Run after the sequence is bumped: who the new list (a JSON array) leaves out is removed
    // at the new sequence; who it invites again is not removed any more.
    const remove = db.prepare<[string, string]>(
      `INSERT INTO scheduled_removals (meeting_id, email, sequence)
       SELECT i.meeting_id, i.email, s.sequence FROM scheduled_invitees i
         JOIN scheduled_meetings s ON s.id = i.meeting_id
       WHERE i.meeting_id = ? AND i.email NOT IN (SELECT value FROM json_each(?))
       ON CONFLICT (meeting_id, email) DO UPDATE SET sequence = excluded.sequence`,
    );
    const reinvite = db.prepare<[string, string]>(
      `DELETE FROM scheduled_removals
       WHERE meeting_id = ? AND email IN (SELECT value FROM json_each(?))`,
    );
    this.#create = db.transaction((m: ScheduledRecord, max: number, now: number): boolean => {
      if ((active.get(m.ownerId, now)?.n ?? 0) >= max) return false;
      insert.run(
        m.id,
        m.ownerId,
        m.roomId,
        m.title,
        m.start,
        m.timeZone,
        m.durationMin,
        recurrenceText(m.recurrence),
        m.firstStart,
        m.lastEnd,
        m.sequence,
        m.noticedSequence,
        m.createdAt,
        m.updatedAt,
      );
      for (const email of m.invitees) invite.run(m.id, email);
      return true;
    });
    const change = db.prepare(
      `UPDATE scheduled_meetings SET title = ?, local_start = ?, time_zone = ?, duration_min = ?,
         recurrence = ?, first_start = ?, last_end = ?, sequence = sequence + 1, updated_at = ?
       WHERE id = ? AND cancelled_at IS NULL`,
    );
    this.#update = db.transaction((id: string, c: ScheduleChange, now: number): boolean => {
      const changed = change.run(
        c.title,
        c.start,
        c.timeZone,
        c.durationMin,
        recurrenceText(c.recurrence),
        c.firstStart,
        c.lastEnd,
        now,
        id,
      ).changes;
      if (changed === 0) return false;
      const list = JSON.stringify(c.invitees);
      remove.run(id, list);
      reinvite.run(id, list);
      uninviteAll.run(id);
      for (const email of c.invitees) invite.run(id, email);
      return true;
    });
  }

  async create(meeting: ScheduledRecord, maxActive: number, now: number): Promise<boolean> {
    return this.#create(meeting, maxActive, now);
  }

  async get(id: string): Promise<ScheduledRecord | undefined> {
    const row = this.#db.prepare<[string], ScheduledRow>(`${SELECT} WHERE s.id = ?`).get(id);
    return row && scheduledOf(row);
  }

  async update(id: string, change: ScheduleChange, now: number) {
    return this.#update(id, change, now) ? this.get(id) : undefined;
  }

  async cancel(id: string, now: number): Promise<boolean> {
    const sql = `UPDATE scheduled_meetings SET cancelled_at = ?, updated_at = ?,
      sequence = sequence + 1 WHERE id = ? AND cancelled_at IS NULL`;
    return this.#db.prepare(sql).run(now, now, id).changes > 0;
  }

  async listFor(
    userId: string,
    email: string,
    since: number,
    limit: number,
    withCancelled: boolean,
  ): Promise<ScheduledRecord[]> {
    const rows = this.#db
      .prepare<[string, string, number, number, number], ScheduledRow>(
        `${SELECT} WHERE (s.owner_id = ? OR s.id IN
           (SELECT meeting_id FROM scheduled_invitees WHERE email = ?))
         AND s.last_end > ? AND (? = 1 OR s.cancelled_at IS NULL)
         ORDER BY s.first_start, s.id LIMIT ?`,
      )
      .all(userId, email.toLowerCase(), since, withCancelled ? 1 : 0, limit);
    return rows.map(scheduledOf);
  }

  async setFeed(userId: string, tokenHash: string, now: number): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
         created_at = excluded.created_at`,
      )
      .run(userId, tokenHash, now);
  }

  async feedOwner(tokenHash: string): Promise<string | undefined> {
    const row = this.#db
      .prepare<[string], { userId: string }>(
        'SELECT user_id AS userId FROM calendar_feeds WHERE token_hash = ?',
      )
      .get(tokenHash);
    return row?.userId;
  }

  async revokeFeed(userId: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM calendar_feeds WHERE user_id = ?').run(userId).changes > 0;
  }

  async purge(before: number, limit: number): Promise<number> {
    const sql = `DELETE FROM scheduled_meetings WHERE id IN (SELECT id FROM scheduled_meetings
      WHERE COALESCE(cancelled_at, last_end) < ? ORDER BY COALESCE(cancelled_at, last_end) LIMIT ?)`;
    return this.#db.prepare(sql).run(before, limit).changes;
  }
}

/** The notice ledger in SQLite. */
export class SqliteNoticeStore implements NoticeStore {
  constructor(private readonly db: Db) {}

  async unnoticed(limit: number): Promise<ScheduledRecord[]> {
    const sql = `${SELECT} WHERE s.noticed_sequence < s.sequence ORDER BY s.updated_at LIMIT ?`;
    return this.db.prepare<[number], ScheduledRow>(sql).all(limit).map(scheduledOf);
  }

  async uninvited(meetingId: string, afterSequence: number): Promise<Removal[]> {
    return this.db
      .prepare<[string, number], Removal>(uninvitedSql('?', '?'))
      .all(meetingId, afterSequence);
  }

  async markNoticed(meetingId: string, sequence: number): Promise<void> {
    this.db
      .prepare(
        `UPDATE scheduled_meetings SET noticed_sequence = MAX(noticed_sequence, ?) WHERE id = ?`,
      )
      .run(sequence, meetingId);
  }

  async remindable(from: number, to: number, limit: number, offset: number) {
    const sql = `${SELECT} WHERE s.cancelled_at IS NULL AND s.first_start <= ? AND s.last_end >= ?
      ORDER BY s.first_start, s.id LIMIT ? OFFSET ?`;
    return this.db
      .prepare<[number, number, number, number], ScheduledRow>(sql)
      .all(to, from, limit, offset)
      .map(scheduledOf);
  }

  async claim(key: DeliveryKey, now: number, leaseUntil: number): Promise<boolean> {
    // The meeting is read in the INSERT itself: a cancellation committed before it wins.
    const sql = `INSERT INTO notice_deliveries (meeting_id, occurrence, email, channel, kind,
        status, attempts, next_at, updated_at)
      SELECT ?, ?, ?, ?, ?, 'sending', 0, ?, ? WHERE EXISTS (SELECT 1 FROM scheduled_meetings
        WHERE id = ? AND (cancelled_at IS NULL OR ? IN ${CANCELLING_KINDS}))
      ON CONFLICT DO NOTHING`;
    const run = this.db.prepare(sql).run(...keyOf(key), leaseUntil, now, key.meetingId, key.kind);
    return run.changes > 0;
  }

  async due(now: number, limit: number): Promise<DeliveryRecord[]> {
    const sql = `${DELIVERY_SELECT} WHERE status IN ('sending', 'retry') AND next_at <= ?
      ORDER BY next_at LIMIT ?`;
    return this.db.prepare<[number, number], DeliveryRow>(sql).all(now, limit).map(deliveryOf);
  }

  async reclaim(d: DeliveryRecord, now: number, leaseUntil: number): Promise<boolean> {
    const sql = `UPDATE notice_deliveries SET status = 'sending', next_at = ?, updated_at = ?
      WHERE ${KEY_WHERE} AND status IN ('sending', 'retry') AND next_at = ?`;
    return this.db.prepare(sql).run(leaseUntil, now, ...keyOf(d), d.nextAt).changes > 0;
  }

  async settle(
    key: DeliveryKey,
    o: Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAt' | 'lastError'>,
    now: number,
  ): Promise<void> {
    const sql = `UPDATE notice_deliveries SET status = ?, attempts = ?, next_at = ?,
      last_error = ?, updated_at = ? WHERE ${KEY_WHERE}`;
    this.db.prepare(sql).run(o.status, o.attempts, o.nextAt, o.lastError, now, ...keyOf(key));
  }

  async deliveries(meetingId: string): Promise<DeliveryRecord[]> {
    const sql = `${DELIVERY_SELECT} WHERE meeting_id = ?
      ORDER BY occurrence, kind, email, channel`;
    return this.db.prepare<[string], DeliveryRow>(sql).all(meetingId).map(deliveryOf);
  }
}
