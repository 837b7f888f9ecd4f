import { newUserId } from '../settings.ts';
import type { NewUser, UserRecord, UserStore } from '../types.ts';
import type { PgPool } from './pool.ts';
import { USER_COLUMNS, userRecordOf } from '../rows.ts';
import type { UserRow } from '../rows.ts';

export class PgUserStore implements UserStore {
  constructor(private readonly pool: PgPool) {}

  async create(user: NewUser): Promise<UserRecord | undefined> {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    const rows = await this.pool.query(
      `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [record.id, record.email, record.name, record.passwordHash, record.createdAt],
    );
    return rows.length === 1 ? record : undefined;
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return row && userRecordOf(row);
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return row && userRecordOf(row);
  }

  async passwordHashOf(id: string): Promise<string | undefined> {
    // FOR SHARE waits for a link's transaction holding the row, then reads what it committed.
    const [row] = await this.pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1 FOR SHARE',
      [id],
    );
    return row?.password_hash;
  }
}
