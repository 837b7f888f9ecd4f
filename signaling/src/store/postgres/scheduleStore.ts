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
import type { PgPool, Tx } from './pool.ts';

const SELECT = scheduledSelect("string_agg(i.email, E'\\n')");
const KEY_WHERE =
  'meeting_id = $1 AND occurrence = $2 AND email = $3 AND channel = $4 AND kind = $5';
const keyOf = (k: DeliveryKey) => [k.meetingId, k.occurrence, k.email, k.channel, k.kind];

async function invite(tx: Tx, id: string, invitees: readonly string[]): Promise<void> {
  if (invitees.length === 0) return;
  await tx.query(
    `INSERT INTO scheduled_invitees (meeting_id, email) SELECT $1, unnest($2::text[])
     ON CONFLICT DO NOTHING`,
    [id, invitees],
  );
}

/** Scheduled meetings and calendar feeds in PostgreSQL: what every node reads. */
export class PgScheduleStore implements ScheduleStore {
  constructor(private readonly pool: PgPool) {}

  /** The owner's row is locked, so two nodes creating at once count one after the other. */
  create(m: ScheduledRecord, maxActive: number, now: number): Promise<boolean> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [m.ownerId]);
      const [active] = await tx.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM scheduled_meetings
         WHERE owner_id = $1 AND cancelled_at IS NULL AND last_end > $2`,
        [m.ownerId, now],
      );
      if (Number(active?.n ?? 0) >= maxActive) return false;
      await tx.query(
        `INSERT INTO scheduled_meetings (id, owner_id, room_id, title, local_start, time_zone,
           duration_min, recurrence, first_start, last_end, sequence, noticed_sequence,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
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
        ],
      );
      await invite(tx, m.id, m.invitees);
      return true;
    });
  }

  async get(id: string): Promise<ScheduledRecord | undefined> {
    const [row] = await this.pool.query<ScheduledRow>(`${SELECT} WHERE s.id = $1`, [id]);
    return row && scheduledOf(row);
  }

  async update(id: string, c: ScheduleChange, now: number) {
    const changed = await this.pool.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE scheduled_meetings SET title = $1, local_start = $2, time_zone = $3,
           duration_min = $4, recurrence = $5, first_start = $6, last_end = $7,
           sequence = sequence + 1, updated_at = $8
         WHERE id = $9 AND cancelled_at IS NULL RETURNING id`,
        [
          c.title,
          c.start,
          c.timeZone,
          c.durationMin,
          recurrenceText(c.recurrence),
          c.firstStart,
          c.lastEnd,
          now,
          id,
        ],
      );
      if (rows.length === 0) return false;
      // After the sequence is bumped: who the new list leaves out is removed at the new
      // sequence; who it invites again is not removed any more.
      await tx.query(
        `INSERT INTO scheduled_removals (meeting_id, email, sequence)
         SELECT i.meeting_id, i.email, s.sequence FROM scheduled_invitees i
           JOIN scheduled_meetings s ON s.id = i.meeting_id
         WHERE i.meeting_id = $1 AND NOT (i.email = ANY($2::text[]))
         ON CONFLICT (meeting_id, email) DO UPDATE SET sequence = EXCLUDED.sequence`,
        [id, c.invitees],
      );
      await tx.query(
        'DELETE FROM scheduled_removals WHERE meeting_id = $1 AND email = ANY($2::text[])',
        [id, c.invitees],
      );
      await tx.query('DELETE FROM scheduled_invitees WHERE meeting_id = $1', [id]);
      await invite(tx, id, c.invitees);
      return true;
    });
    return changed ? this.get(id) : undefined;
  }

  async cancel(id: string, now: number): Promise<boolean> {
    const rows = await this.pool.query(
      `UPDATE scheduled_meetings SET cancelled_at = $1, updated_at = $1, sequence = sequence + 1
       WHERE id = $2 AND cancelled_at IS NULL RETURNING id`,
      [now, id],
    );
    return rows.length > 0;
  }

  async listFor(
    userId: string,
    email: string,
    since: number,
    limit: number,
    withCancelled: boolean,
  ): Promise<ScheduledRecord[]> {
    const rows = await this.pool.query<ScheduledRow>(
      `${SELECT} WHERE (s.owner_id = $1 OR s.id IN
         (SELECT meeting_id FROM scheduled_invitees WHERE email = $2))
       AND s.last_end > $3 AND ($4 OR s.cancelled_at IS NULL)
       ORDER BY s.first_start, s.id LIMIT $5`,
      [userId, email.toLowerCase(), since, withCancelled, limit],
    );
    return rows.map(scheduledOf);
  }

  async setFeed(userId: string, tokenHash: string, now: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
       created_at = excluded.created_at`,
      [userId, tokenHash, now],
    );
  }

  async feedOwner(tokenHash: string): Promise<string | undefined> {
    const [row] = await this.pool.query<{ user_id: string }>(
      'SELECT user_id FROM calendar_feeds WHERE token_hash = $1',
      [tokenHash],
    );
    return row?.user_id;
  }

  async revokeFeed(userId: string): Promise<boolean> {
    const rows = await this.pool.query(
      'DELETE FROM calendar_feeds WHERE user_id = $1 RETURNING user_id',
      [userId],
    );
    return rows.length > 0;
  }

  async purge(before: number, limit: number): Promise<number> {
    const rows = await this.pool.query(
      `DELETE FROM scheduled_meetings WHERE id IN (SELECT id FROM scheduled_meetings
       WHERE COALESCE(cancelled_at, last_end) < $1 ORDER BY COALESCE(cancelled_at, last_end)
       LIMIT $2) RETURNING id`,
      [before, limit],
    );
    return rows.length;
  }
}

/** The notice ledger in PostgreSQL: the unique key is what lets one node alone send. */
export class PgNoticeStore implements NoticeStore {
  constructor(private readonly pool: PgPool) {}

  async unnoticed(limit: number): Promise<ScheduledRecord[]> {
    const rows = await this.pool.query<ScheduledRow>(
      `${SELECT} WHERE s.noticed_sequence < s.sequence ORDER BY s.updated_at LIMIT $1`,
      [limit],
    );
    return rows.map(scheduledOf);
  }

  async uninvited(meetingId: string, afterSequence: number): Promise<Removal[]> {
    const rows = await this.pool.query<{ email: string; sequence: number }>(
      uninvitedSql('$1', '$2'),
      [meetingId, afterSequence],
    );
    return rows.map((r) => ({ email: r.email, sequence: Number(r.sequence) }));
  }

  async markNoticed(meetingId: string, sequence: number): Promise<void> {
    await this.pool.query(
      `UPDATE scheduled_meetings SET noticed_sequence = GREATEST(noticed_sequence, $1)
       WHERE id = $2`,
      [sequence, meetingId],
    );
  }

  async remindable(from: number, to: number, limit: number, offset: number) {
    const rows = await this.pool.query<ScheduledRow>(
      `${SELECT} WHERE s.cancelled_at IS NULL AND s.first_start <= $1 AND s.last_end >= $2
       ORDER BY s.first_start, s.id LIMIT $3 OFFSET $4`,
      [to, from, limit, offset],
    );
    return rows.map(scheduledOf);
  }

  async claim(key: DeliveryKey, now: number, leaseUntil: number): Promise<boolean> {
    // The meeting is read in the INSERT itself: a cancellation committed before it wins.
    const rows = await this.pool.query(
      `INSERT INTO notice_deliveries (meeting_id, occurrence, email, channel, kind,
         status, attempts, next_at, updated_at)
       SELECT $1, $2, $3, $4, $5, 'sending', 0, $6, $7 WHERE EXISTS (SELECT 1
         FROM scheduled_meetings WHERE id = $1 AND (cancelled_at IS NULL OR $5 IN ${CANCELLING_KINDS}))
       ON CONFLICT DO NOTHING RETURNING meeting_id`,
      [...keyOf(key), leaseUntil, now],
    );
    return rows.length > 0;
  }

  async due(now: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.pool.query<DeliveryRow>(
      `${DELIVERY_SELECT} WHERE status IN ('sending', 'retry') AND next_at <= $1
       ORDER BY next_at LIMIT $2`,
      [now, limit],
    );
    return rows.map(deliveryOf);
  }

  async reclaim(d: DeliveryRecord, now: number, leaseUntil: number): Promise<boolean> {
    const rows = await this.pool.query(
      `UPDATE notice_deliveries SET status = 'sending', next_at = $6, updated_at = $7
       WHERE ${KEY_WHERE} AND status IN ('sending', 'retry') AND next_at = $8
       RETURNING meeting_id`,
      [...keyOf(d), leaseUntil, now, d.nextAt],
    );
    return rows.length > 0;
  }

  async settle(
    key: DeliveryKey,
    o: Pick<DeliveryRecord, 'status' | 'attempts' | 'nextAt' | 'lastError'>,
    now: number,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE notice_deliveries SET status = $6, attempts = $7, next_at = $8, last_error = $9,
         updated_at = $10 WHERE ${KEY_WHERE}`,
      [...keyOf(key), o.status, o.attempts, o.nextAt, o.lastError, now],
    );
  }

  async deliveries(meetingId: string): Promise<DeliveryRecord[]> {
    const rows = await this.pool.query<DeliveryRow>(
      `${DELIVERY_SELECT} WHERE meeting_id = $1 ORDER BY occurrence, kind, email, channel`,
      [meetingId],
    );
    return rows.map(deliveryOf);
  }
}
