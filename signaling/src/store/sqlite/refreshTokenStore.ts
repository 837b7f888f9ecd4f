import type { RefreshTokenRow, RefreshTokenStore } from '../types.ts';
import type { Db } from './db.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

const toRow = (r: Row): RefreshTokenRow => ({ userId: r.user_id, expiresAt: r.expires_at });

export class SqliteRefreshTokenStore implements RefreshTokenStore {
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #revokeUser;
  readonly #sweep;
  readonly #take;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
    );
    this.#get = db.prepare<[string], Row>(
      'SELECT user_id, expires_at FROM refresh_tokens WHERE token_hash = ?',
    );
    this.#delete = db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?');
    this.#revokeUser = db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?');
    this.#sweep = db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?');
    this.#take = db.prepare<[string], Row>(
      'DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING user_id, expires_at',
    );
  }

  async insert(tokenHash: string, userId: string, expiresAt: number): Promise<void> {
    this.#insert.run(tokenHash, userId, expiresAt);
  }

  async take(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const row = this.#take.get(tokenHash);
    return row && toRow(row);
  }

  async get(tokenHash: string): Promise<RefreshTokenRow | undefined> {
    const row = this.#get.get(tokenHash);
    return row && toRow(row);
  }

  async delete(tokenHash: string): Promise<void> {
    this.#delete.run(tokenHash);
  }

  async revokeUser(userId: string): Promise<void> {
    this.#revokeUser.run(userId);
  }

  async sweep(now: number): Promise<void> {
    this.#sweep.run(now);
  }
}
