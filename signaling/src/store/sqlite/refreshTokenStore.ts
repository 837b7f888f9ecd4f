import type { RefreshTokenRow, RefreshTokenStore } from '../types.ts';
import type { Db } from './db.ts';

interface Row {
  user_id: string;
  expires_at: number;
}

type Successor = { tokenHash: string; expiresAt: number };

const toRow = (r: Row): RefreshTokenRow => ({ userId: r.user_id, expiresAt: r.expires_at });

export class SqliteRefreshTokenStore implements RefreshTokenStore {
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #revokeUser;
  readonly #sweep;
  readonly #rotate;

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
    const take = db.prepare<[string], Row>(
      'DELETE FROM refresh_tokens WHERE token_hash = ? RETURNING user_id, expires_at',
    );
    this.#rotate = db.transaction(
      (tokenHash: string, rotatedHash: string, next: Successor, now: number) => {
        const row = take.get(tokenHash);
        if (row && row.expires_at > now) {
          this.#insert.run(rotatedHash, row.user_id, row.expires_at);
          this.#insert.run(next.tokenHash, row.user_id, next.expiresAt);
        }
        return row;
      },
    );
  }

  async insert(tokenHash: string, userId: string, expiresAt: number): Promise<void> {
    this.#insert.run(tokenHash, userId, expiresAt);
  }

  async rotate(
    tokenHash: string,
    rotatedHash: string,
    next: Successor,
    now: number,
  ): Promise<RefreshTokenRow | undefined> {
    const row = this.#rotate(tokenHash, rotatedHash, next, now);
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
