import { createHash, randomBytes } from 'node:crypto';
import type { RefreshTokenStore } from '../store/index.ts';

/** The outcome of presenting a refresh token. */
export type Rotation =
  | { ok: true; userId: string; token: string }
  /** `reused`: the token had already been rotated, so someone holds a copy: all revoked. */
  | { ok: false; reason: 'unknown' | 'expired' | 'reused'; userId?: string };

/**
 * A rotated token stays in the table under this prefix until it would have expired, so that
 * presenting it again is recognised as theft (RFC 9700, 4.14.2: refresh token rotation). The
 * `refresh_tokens` table has no "rotated" column, and a prefixed hash can never equal a live one.
 */
const ROTATED = 'rotated:';
/** Expired rows are swept at most this often, on the next write. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (): string => randomBytes(32).toString('base64url');

/**
 * Refresh tokens: 256 random bits handed to the browser once; only their sha256 is stored, so
 * a copy of the database cannot be replayed. Every use rotates the token.
 */
export class RefreshTokens {
  #lastSweep = 0;

  constructor(
    private readonly store: RefreshTokenStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh token for `userId`, valid for the configured TTL. */
  async issue(userId: string): Promise<string> {
    await this.#maybeSweep();
    const token = newToken();
    await this.store.insert(sha256(token), userId, this.now() + this.ttlMs);
    return token;
  }

  /**
   * Spends `token` and hands out its successor; a reused token revokes the whole account's.
   * The store's atomic `rotate` decides which of two concurrent presentations wins, and writes
   * the successor in the same transaction (a link revoking the account's tokens meanwhile
   * cannot miss it).
   */
  async rotate(token: string): Promise<Rotation> {
    const hash = sha256(token);
    const now = this.now();
    const next = newToken();
    const successor = { tokenHash: sha256(next), expiresAt: now + this.ttlMs };
    const live = await this.store.rotate(hash, ROTATED + hash, successor, now);
    if (live) {
      if (live.expiresAt <= now) return { ok: false, reason: 'expired', userId: live.userId };
      await this.#maybeSweep();
      return { ok: true, userId: live.userId, token: next };
    }
    const spent = await this.store.get(ROTATED + hash);
    if (spent && spent.expiresAt > now) {
      await this.store.revokeUser(spent.userId);
      return { ok: false, reason: 'reused', userId: spent.userId };
    }
    return { ok: false, reason: 'unknown' };
  }

  /** Sign-out: this token stops working (other devices stay signed in). */
  async revoke(token: string): Promise<void> {
    await this.store.delete(sha256(token));
  }

  async #maybeSweep(): Promise<void> {
    const now = this.now();
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    await this.store.sweep(now);
  }
}
