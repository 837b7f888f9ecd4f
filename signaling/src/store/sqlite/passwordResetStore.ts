import type { PasswordResetRow, PasswordResetStore } from '../types.ts';
import type { Db } from './db.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

/** Password reset links over the `password_resets` table (issue 21). */
export class SqlitePasswordResetStore implements PasswordResetStore {
  readonly #insert;
  readonly #get;
  readonly #redeem;

  constructor(db: Db) {
    const upsert = db.prepare(
      `INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
         expires_at = excluded.expires_at`,
    );
    const sweep = db.prepare('DELETE FROM password_resets WHERE expires_at <= ?');
    this.#insert = db.transaction(
      (tokenHash: string, userId: string, expiresAt: number, now: number) => {
        sweep.run(now);
        upsert.run(userId, tokenHash, expiresAt);
      },
    );
    this.#get = db.prepare<[string], Row>(
      'SELECT user_id, expires_at FROM password_resets WHERE token_hash = ?',
    );
    const take = db.prepare<[string], Row>(
      'DELETE FROM password_resets WHERE token_hash = ? RETURNING user_id, expires_at',
    );
    const setPassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
    const revokeSessions = db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?');
    this.#redeem = db.transaction((tokenHash: string, passwordHash: string, now: number) => {
      const row = take.get(tokenHash);
      if (!row || row.expires_at <= now) return undefined;
      setPassword.run(passwordHash, row.user_id);
      revokeSessions.run(row.user_id);
      return row.user_id;
    });
  }

  async insert(tokenHash: string, userId: string, expiresAt: number, now: number): Promise<void> {
    this.#insert(tokenHash, userId, expiresAt, now);
  }

  async get(tokenHash: string): Promise<PasswordResetRow | undefined> {
    const row = this.#get.get(tokenHash);
    return row && { userId: row.user_id, expiresAt: row.expires_at };
  }

  async redeem(tokenHash: string, passwordHash: string, now: number): Promise<string | undefined> {
    return this.#redeem(tokenHash, passwordHash, now);
  }
}
