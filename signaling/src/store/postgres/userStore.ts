import { newUserId } from '../settings.ts';
import type { NewUser, UserRecord, UserStore } from '../types.ts';
import type { PgPool } from './pool.ts';

interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
}

const COLUMNS = 'id, email, name, password_hash, created_at';

export class PgUserStore implements UserStore {
  constructor(private readonly pool: PgPool) {}

  async create(user: NewUser): Promise<UserRecord | undefined> {
    const record: UserRecord = { id: newUserId(), createdAt: Date.now(), ...user };
    const rows = await this.pool.query(
      `INSERT INTO users (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
      [record.id, record.email, record.name, record.passwordHash, record.createdAt],
    );
    return rows.length === 1 ? record : undefined;
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.pool.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return row && fromRow(row);
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [
      id,
    ]);
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
