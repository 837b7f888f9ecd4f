import type { RefreshTokenRow, RefreshTokenStore } from '../types.ts';
import type { PgPool } from './pool.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

const INSERT = 'INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)';

const toRow = (r: Row): RefreshTokenRow => ({ userId: r.user_id, expiresAt: r.expires_at });

export class PgRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly pool: PgPool) {}

  async insert(tokenHash: string, userId: string, expiresAt: number): Promise<void> {
    await this.pool.query(INSERT, [tokenHash, userId, expiresAt]);
  }

  async rotate(
    tokenHash: string,
    rotatedHash: string,
    next: { tokenHash: string; expiresAt: number },
    now: number,
  ): Promise<RefreshTokenRow | undefined> {
    return this.pool.transaction(async (tx) => {
      // The account's row first: a link holding it is waited for (then the DELETE finds the
      // token revoked); a link coming later waits for our COMMIT, and its DELETE sees `next`.
      await tx.query(
        `SELECT 1 FROM users
         WHERE id = (SELECT user_id FROM refresh_tokens WHERE token_hash = $1) FOR SHARE`,
        [tokenHash],
      );
      // DELETE ... RETURNING is atomic: two nodes presenting the same token cannot both get it.
      const [row] = await tx.query<Row>(
        'DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at',
        [tokenHash],
      );
      if (row && row.expires_at > now) {
        await tx.query(INSERT, [rotatedHash, row.user_id, row.expires_at]);
        await tx.query(INSERT, [next.tokenHash, row.user_id, next.expiresAt]);
      }
      return row && toRow(row);
    });
  }

  async get(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.pool.query<Row>(
      'SELECT user_id, expires_at FROM refresh_tokens WHERE token_hash = $1',
      [tokenHash],
    );
    return row && toRow(row);
  }

  async delete(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM refresh_tokens WHERE token_hash = $1', [tokenHash]);
  }

  async revokeUser(userId: string): Promise<void> {
    await this.pool.query('DELETE FROM refresh_tokens WHERE user_id = $1', [userId]);
  }

  async sweep(now: number): Promise<void> {
    await this.pool.query('DELETE FROM refresh_tokens WHERE expires_at <= $1', [now]);
  }
}
