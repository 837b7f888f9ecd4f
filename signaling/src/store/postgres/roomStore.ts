import type { RoomId } from '@parley/protocol';
import type { RoomRecord, RoomStore, StoredSettings } from '../types.ts';
import type { PgPool } from './pool.ts';
import { ROOM_COLUMNS, roomRecordOf } from '../rows.ts';
import type { RoomRow } from '../rows.ts';

export class PgRoomStore implements RoomStore {
  constructor(private readonly pool: PgPool) {}

  async create(r: RoomRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO rooms (${ROOM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        r.id,
        r.hostKeyHash,
        r.createdAt,
        r.ownerId,
        r.title,
        JSON.stringify(r.settings),
        r.passwordHash,
      ],
    );
  }

  async get(id: RoomId): Promise<RoomRecord | undefined> {
    const [row] = await this.pool.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = $1`,
      [id],
    );
    return row && roomRecordOf(row);
  }

  async listByOwner(ownerId: string, limit = 100): Promise<RoomRecord[]> {
    const rows = await this.pool.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE owner_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [ownerId, limit],
    );
    return rows.map(roomRecordOf);
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
