import { createHmac } from 'node:crypto';

/** A TURN REST API credential (draft-uberti-behave-turn-rest-00, coturn's `use-auth-secret`). */
export interface TurnCredential {
  /** `<expiry unix seconds>:<user>`: coturn reads the expiry from the name itself. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** Expiry, unix seconds. */
  expiresAt: number;
}

export interface MintOptions {
  secret: string;
  /** Who it is for; ends up in coturn's logs, so an opaque id, never a name or email. */
  user: string;
  ttlS: number;
  /** Now, unix seconds (injectable for tests). */
  nowS?: number;
}

export function mintTurnCredential({ secret, user, ttlS, nowS }: MintOptions): TurnCredential {
  if (secret === '') throw new Error('TURN secret is empty');
  if (user.includes(':')) throw new Error('TURN user must not contain ":"');
  const expiresAt = Math.floor(nowS ?? Date.now() / 1000) + ttlS;
  const username = `${expiresAt}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt };
}
