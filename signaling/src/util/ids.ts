import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PeerId, RoomId } from '@parley/protocol';

/** 16 random bytes (128 bits) as unpadded base64url: 22 characters, URL-safe. */
export function newRoomId(): RoomId {
  return randomBytes(16).toString('base64url') as RoomId;
}

/** 12 random bytes: unique enough per server, short in logs. */
export function newPeerId(): PeerId {
  return randomBytes(12).toString('base64url') as PeerId;
}

/** The secret that makes its bearer a room's host: 256 bits, shown once, stored hashed. */
export function newHostKey(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  return secretMatches(a, hashSecret(b));
}

/** A seat's resume token: 128 bits. */
export function newResumeToken(): string {
  return randomBytes(16).toString('base64url');
}

/** Constant-time check of a presented secret against a stored sha256 hex digest. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
