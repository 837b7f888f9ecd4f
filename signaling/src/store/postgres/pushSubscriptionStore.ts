import { NEWEST_FIRST, PUSH_COLUMNS, pushSubscriptionOf } from '../pushRows.ts';
import type { PushRow } from '../pushRows.ts';
import type { PushSubscriptionRecord, PushSubscriptionStore } from '../types.ts';
import type { PgPool } from './pool.ts';

/** The devices that get reminders, in PostgreSQL: what every node of a cluster reads. */
export class PgPushSubscriptionStore implements PushSubscriptionStore {
  constructor(private readonly pool: PgPool) {}

  /** The account's row is locked, so two devices subscribing at once cannot both pass the cap. */
  put(s: PushSubscriptionRecord, max: number): Promise<number> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [s.userId]);
      await tx.query(
        `INSERT INTO push_subscriptions (${PUSH_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,
           p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
        [s.endpoint, s.userId, s.p256dh, s.auth, s.createdAt],
      );
      // The device just put is kept whatever the clock says; of the others, the newest max - 1.
      await tx.query(
        `DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2 AND endpoint NOT IN (
           SELECT endpoint FROM push_subscriptions WHERE user_id = $1 AND endpoint <> $2
           ${NEWEST_FIRST} LIMIT $3)`,
        [s.userId, s.endpoint, max - 1],
      );
      const [row] = await tx.query<{ n: number }>(
        'SELECT COUNT(*)::int AS n FROM push_subscriptions WHERE user_id = $1',
        [s.userId],
      );
      return row?.n ?? 0;
    });
  }

  async ofUser(userId: string): Promise<PushSubscriptionRecord[]> {
    const rows = await this.pool.query<PushRow>(
      `SELECT ${PUSH_COLUMNS} FROM push_subscriptions WHERE user_id = $1 ${NEWEST_FIRST}`,
      [userId],
    );
    return rows.map(pushSubscriptionOf);
  }

  async remove(userId: string, endpoint: string): Promise<boolean> {
    const rows = await this.pool.query(
      'DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2 RETURNING endpoint',
      [userId, endpoint],
    );
    return rows.length > 0;
  }

  async forget(endpoint: string): Promise<void> {
    await this.pool.query('DELETE FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
  }
}
