import type { PasswordResetRow, PasswordResetStore } from '../types.ts';
import type { PgPool } from './pool.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

/** Password reset links over the `password_resets` table (issue 21). */
export class PgPasswordResetStore implements PasswordResetStore {
  constructor(private readonly pool: PgPool) {}

  async insert(tokenHash: string, userId: string, expiresAt: number, now: number): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query('DELETE FROM password_resets WHERE expires_at <= $1', [now]);
      await tx.query(
        `INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash,
           expires_at = excluded.expires_at`,
        [userId, tokenHash, expiresAt],
      );
    });
  }

  async get(tokenHash: string): Promise<PasswordResetRow | undefined> {
    const [row] = await this.pool.query<Row>(
      'SELECT user_id, expires_at FROM password_resets WHERE token_hash = $1',
      [tokenHash],
    );
    return row && { userId: row.user_id, expiresAt: row.expires_at };
  }

  async redeem(tokenHash: string, passwordHash: string, now: number): Promise<string | undefined> {
    return this.pool.transaction(async (tx) => {
      // DELETE ... RETURNING is atomic: of two nodes spending the same link, one gets the row.
      const [row] = await tx.query<Row>(
        'DELETE FROM password_resets WHERE token_hash = $1 RETURNING user_id, expires_at',
        [tokenHash],
      );
      if (!row || row.expires_at <= now) return undefined;
      // The account's row is written (and so held) before its sessions go: a rotation or a
      // sign-in's passwordHashOf (FOR SHARE) waits for us, as it does for a single sign-on link.
      await tx.query('UPDATE users SET password_hash = $1 WHERE id = $2', [
        passwordHash,
        row.user_id,
      ]);
      await tx.query('DELETE FROM refresh_tokens WHERE user_id = $1', [row.user_id]);
      return row.user_id;
    });
  }
}
