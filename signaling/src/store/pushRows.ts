import type { PushSubscriptionRecord } from './types.ts';

/** `push_subscriptions` as both engines read it, and how a row becomes a record. */
export const PUSH_COLUMNS = 'endpoint, user_id, p256dh, auth, created_at';

export interface PushRow {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
  created_at: number;
}

export const pushSubscriptionOf = (row: PushRow): PushSubscriptionRecord => ({
  endpoint: row.endpoint,
  userId: row.user_id,
  p256dh: row.p256dh,
  auth: row.auth,
  createdAt: row.created_at,
});

/** Newest first; the endpoint breaks ties, so both engines agree on which device is oldest. */
export const NEWEST_FIRST = 'ORDER BY created_at DESC, endpoint DESC';
