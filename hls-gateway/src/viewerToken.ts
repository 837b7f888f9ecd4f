// Signed, expiring viewer tokens for private broadcasts: `<expiry>.<signature>`, where expiry
// is Unix seconds and signature is base64url(HMAC-SHA256(secret, "<roomId>.<expiry>")).
// Stateless, so any instance holding the secret (or a CDN edge function) can check one.

import { createHmac, timingSafeEqual } from 'node:crypto';

const TOKEN_PATTERN = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function signature(roomId: string, expiry: number, secret: string): string {
  return createHmac('sha256', secret).update(`${roomId}.${expiry}`).digest('base64url');
}

/**
 * A token letting its holder watch `roomId` for `ttlSeconds` from `nowMs` (default now).
 * Throws on an empty secret or a TTL that is not a positive number.
 */
export function signViewerToken(
  roomId: string,
  secret: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): string {
  if (!secret) throw new Error('viewer token: empty secret');
  if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
    throw new Error(`viewer token: bad ttl ${ttlSeconds}`);
  }
  const expiry = Math.floor(nowMs / 1000 + ttlSeconds);
  return `${expiry}.${signature(roomId, expiry, secret)}`;
}

/** True when `token` was signed with `secret` for `roomId` and has not expired at `nowMs`. */
export function verifyViewerToken(
  roomId: string,
  token: string | undefined,
  secret: string,
  nowMs: number = Date.now(),
): boolean {
  if (!secret || !token) return false;
  const match = TOKEN_PATTERN.exec(token);
  if (!match?.[1] || !match[2]) return false;
  const expiry = Number(match[1]);
  if (expiry * 1000 <= nowMs) return false;
  const expected = Buffer.from(signature(roomId, expiry, secret));
  const given = Buffer.from(match[2]);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
