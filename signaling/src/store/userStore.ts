import { randomBytes } from 'node:crypto';
import type { UserInfo } from '@parley/protocol';
import type { Db } from './db.ts';

/** A user as stored: what the API shows plus the argon2id hash of their password. */
export interface UserRecord extends UserInfo {
  passwordHash: string;
  createdAt: number;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

const COLUMNS = 'id, email, name, password_hash, created_at';

/** 16 random bytes as base64url: an opaque id that says nothing about sign-up order. */
function newUserId(): string {
  return randomBytes(16).toString('base64url');
}

/** Accounts over the `users` table. Emails compare case-insensitively (the column is NOCASE). */
export class UserStore {
  readonly #insert;
  readonly #byEmail;
  readonly #byId;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO users (${COLUMNS}) VALUES (@id, @email, @name, @passwordHash, @createdAt)
       ON CONFLICT (email) DO NOTHING`,
    );
    this.#byEmail = db.prepare<[string], UserRow>(`SELECT ${COLUMNS} FROM users WHERE email = ?`);
    this.#byId = db.prepare<[string], UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`);
  }

  /** The new user, or undefined when the email is taken (checked by the UNIQUE index, not a race). */
  create(user: { email: string; name: string; passwordHash: string }): UserRecord | undefined {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    return this.#insert.run(record).changes === 1 ? record : undefined;
  }

  byEmail(email: string): UserRecord | undefined {
    const row = this.#byEmail.get(email);
    return row && fromRow(row);
  }

  byId(id: string): UserRecord | undefined {
    const row = this.#byId.get(id);
    return row && fromRow(row);
  }
}

function fromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

/** What the API may show of a user: never the hash. */
export function userInfo({ id, email, name }: UserRecord): UserInfo {
  return { id, email, name };
}
