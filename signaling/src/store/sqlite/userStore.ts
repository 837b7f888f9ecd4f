import { newUserId } from '../settings.ts';
import type { NewUser, UserRecord, UserStore } from '../types.ts';
import type { Db } from './db.ts';
import { USER_COLUMNS, userRecordOf } from '../rows.ts';
import type { UserRow } from '../rows.ts';

/** Accounts over the `users` table. Emails compare case-insensitively (the column is NOCASE). */
export class SqliteUserStore implements UserStore {
  readonly #insert;
  readonly #byEmail;
  readonly #byId;
  readonly #passwordHashOf;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO users (${USER_COLUMNS}) VALUES (@id, @email, @name, @passwordHash, @createdAt)
       ON CONFLICT (email) DO NOTHING`,
    );
    this.#byEmail = db.prepare<[string], UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE email = ?`,
    );
    this.#byId = db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
    this.#passwordHashOf = db.prepare<[string], { password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = ?',
    );
  }

  async create(user: NewUser): Promise<UserRecord | undefined> {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    return this.#insert.run(record).changes === 1 ? record : undefined;
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.#byEmail.get(email);
    return row && userRecordOf(row);
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    const row = this.#byId.get(id);
    return row && userRecordOf(row);
  }

  async passwordHashOf(id: string): Promise<string | undefined> {
    return this.#passwordHashOf.get(id)?.password_hash;
  }
}
