import type { RefreshTokenRow, RefreshTokenStore } from '../types.ts';
import type { PgPool } from './pool.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

const toRow = (r: Row): RefreshTokenRow => ({ userId: r.user_id, expiresAt: r.expires_at });

export class PgRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly pool: PgPool) {}

  async insert(tokenHash: string, userId: string, expiresAt: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)',
      [tokenHash, userId, expiresAt],
    );
  }

  async take(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    // DELETE ... RETURNING is atomic: two nodes presenting the same token cannot both get it.
    const [row] = await this.pool.query<Row>(
      'DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id, expires_at',
      [tokenHash],
    );
    return row && toRow(row);
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
