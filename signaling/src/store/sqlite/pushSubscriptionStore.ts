import { NEWEST_FIRST, PUSH_COLUMNS, pushSubscriptionOf } from '../pushRows.ts';
import type { PushRow } from '../pushRows.ts';
import type { PushSubscriptionRecord, PushSubscriptionStore } from '../types.ts';
import type { Db } from './db.ts';

/** The devices that get reminders, in SQLite (the embedded default: one node). */
export class SqlitePushSubscriptionStore implements PushSubscriptionStore {
  readonly #put;
  readonly #ofUser;
  readonly #remove;
  readonly #forget;

  constructor(db: Db) {
    const upsert = db.prepare(
      `INSERT INTO push_subscriptions (${PUSH_COLUMNS})
       VALUES (@endpoint, @userId, @p256dh, @auth, @createdAt)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id,
         p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
    );
    // The device just put is kept whatever the clock says; of the others, the newest max - 1.
    const trim = db.prepare<[string, string, string, string, number]>(
      `DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint <> ? AND endpoint NOT IN (
         SELECT endpoint FROM push_subscriptions WHERE user_id = ? AND endpoint <> ?
         ${NEWEST_FIRST} LIMIT ?)`,
    );
    const count = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = ?',
    );
    this.#put = db.transaction((s: PushSubscriptionRecord, max: number): number => {
      upsert.run(s);
      trim.run(s.userId, s.endpoint, s.userId, s.endpoint, max - 1);
      return count.get(s.userId)?.n ?? 0;
    });
    this.#ofUser = db.prepare<[string], PushRow>(
      `SELECT ${PUSH_COLUMNS} FROM push_subscriptions WHERE user_id = ? ${NEWEST_FIRST}`,
    );
    this.#remove = db.prepare<[string, string]>(
      'DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?',
    );
    this.#forget = db.prepare<[string]>('DELETE FROM push_subscriptions WHERE endpoint = ?');
  }

  async put(subscription: PushSubscriptionRecord, max: number): Promise<number> {
    return this.#put(subscription, max);
  }

  async ofUser(userId: string): Promise<PushSubscriptionRecord[]> {
    return this.#ofUser.all(userId).map(pushSubscriptionOf);
  }

  async remove(userId: string, endpoint: string): Promise<boolean> {
    return this.#remove.run(userId, endpoint).changes > 0;
  }

  async forget(endpoint: string): Promise<void> {
    this.#forget.run(endpoint);
  }
}
