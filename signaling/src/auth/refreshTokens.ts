import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';

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

/**
 * Refresh tokens: 256 random bits handed to the browser once; only their sha256 is stored, so
 * a copy of the database cannot be replayed. Every use rotates the token.
 */
export class RefreshTokens {
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #revokeUser;
  readonly #sweep;
  readonly #rotate;
  #lastSweep = 0;

  constructor(
    db: Db,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#insert = db.prepare(
      'INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
    );
    this.#get = db.prepare<[string], { user_id: string; expires_at: number }>(
      'SELECT user_id, expires_at FROM refresh_tokens WHERE token_hash = ?',
    );
    this.#delete = db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?');
    this.#revokeUser = db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?');
    this.#sweep = db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?');
    // Synchronous, so no other request can present the same token between read and write.
    this.#rotate = db.transaction((hash: string) => this.#rotateNow(hash));
  }

  /** A fresh token for `userId`, valid for the configured TTL. */
  issue(userId: string): string {
    this.#maybeSweep();
    const token = randomBytes(32).toString('base64url');
    this.#insert.run(sha256(token), userId, this.now() + this.ttlMs);
    return token;
  }

  /** Spends `token` and hands out its successor; a reused token revokes the whole account's. */
  rotate(token: string): Rotation {
    return this.#rotate(sha256(token));
  }

  /** Sign-out: this token stops working (other devices stay signed in). */
  revoke(token: string): void {
    this.#delete.run(sha256(token));
  }

  #rotateNow(hash: string): Rotation {
    const now = this.now();
    const live = this.#get.get(hash);
    if (live) {
      this.#delete.run(hash);
      if (live.expires_at <= now) return { ok: false, reason: 'expired', userId: live.user_id };
      this.#insert.run(ROTATED + hash, live.user_id, live.expires_at);
      return { ok: true, userId: live.user_id, token: this.issue(live.user_id) };
    }
    const spent = this.#get.get(ROTATED + hash);
    if (spent && spent.expires_at > now) {
      this.#revokeUser.run(spent.user_id);
      return { ok: false, reason: 'reused', userId: spent.user_id };
    }
    return { ok: false, reason: 'unknown' };
  }

  #maybeSweep(): void {
    const now = this.now();
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    this.#sweep.run(now);
  }
}
