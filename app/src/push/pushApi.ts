import type { PushKeyResponse, PushSubscribedResponse } from '@parley/protocol';
import { apiErrorOf } from '../auth/authState.ts';
import { session } from '../auth/session.ts';

/** What the server said, readable: "HTTP 400: endpoint must be an https:// URL". */
async function failure(res: Response): Promise<Error> {
  const detail = apiErrorOf(await res.json().catch(() => null))?.message;
  return new Error(`the server answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`);
}

/** `GET /api/push/key`: the key this server signs pushes with, as the browser wants it. */
export async function fetchPushKey(): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch('/api/push/key', { cache: 'no-store' });
  if (!res.ok) throw await failure(res);
  const { publicKey } = (await res.json()) as PushKeyResponse;
  const base64 = publicKey.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) =>
    c.charCodeAt(0),
  );
}

/** `POST /api/push/subscriptions`: this device gets the signed-in account's reminders. */
export async function registerDevice(
  subscription: PushSubscription,
): Promise<PushSubscribedResponse> {
  const res = await session.authFetch('/api/push/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as PushSubscribedResponse;
}

/** `DELETE /api/push/subscriptions`; a device the server had dropped already is fine too. */
export async function unregisterDevice(endpoint: string): Promise<void> {
  const res = await session.authFetch('/api/push/subscriptions', {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint }),
  });
  if (!res.ok && res.status !== 404) throw await failure(res);
}
