import type { RoomId } from '@parley/protocol';
import { parseSettings } from '../settings.ts';
import type { RoomRecord, RoomStore, StoredSettings } from '../types.ts';
import type { PgPool } from './pool.ts';

interface RoomRow {
  id: string;
  host_key_hash: string;
  created_at: number;
  owner_id: string | null;
  title: string | null;
  settings: unknown;
  password_hash: string | null;
}

const COLUMNS = 'id, host_key_hash, created_at, owner_id, title, settings, password_hash';

export class PgRoomStore implements RoomStore {
  constructor(private readonly pool: PgPool) {}

  async create(r: RoomRecord): Promise<void> {
    await this.pool.query(`INSERT INTO rooms (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      r.id,
      r.hostKeyHash,
      r.createdAt,
      r.ownerId,
      r.title,
      JSON.stringify(r.settings),
      r.passwordHash,
    ]);
  }

  async get(id: RoomId): Promise<RoomRecord | undefined> {
    const [row] = await this.pool.query<RoomRow>(`SELECT ${COLUMNS} FROM rooms WHERE id = $1`, [
      id,
    ]);
    return row && fromRow(row);
  }

  async listByOwner(ownerId: string, limit = 100): Promise<RoomRecord[]> {
    const rows = await this.pool.query<RoomRow>(
      `SELECT ${COLUMNS} FROM rooms WHERE owner_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [ownerId, limit],
    );
    return rows.map(fromRow);
  }

  async saveSettings(
    id: RoomId,
    settings: StoredSettings,
    passwordHash: string | null,
  ): Promise<void> {
    await this.pool.query('UPDATE rooms SET settings = $2, password_hash = $3 WHERE id = $1', [
      id,
      JSON.stringify(settings),
      passwordHash,
    ]);
  }
}

function fromRow(row: RoomRow): RoomRecord {
  return {
    id: row.id as RoomId,
    hostKeyHash: row.host_key_hash,
    createdAt: row.created_at,
    ownerId: row.owner_id,
    title: row.title,
    settings: parseSettings(row.settings),
    passwordHash: row.password_hash,
  };
}
