import type { RoomId } from '@parley/protocol';
import type { RoomRecord, RoomStore, StoredSettings } from '../types.ts';
import type { Db } from './db.ts';
import { ROOM_COLUMNS, roomRecordOf } from '../rows.ts';
import type { RoomRow } from '../rows.ts';

export class SqliteRoomStore implements RoomStore {
  readonly #insert;
  readonly #select;
  readonly #byOwner;
  readonly #updateSettings;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO rooms (${ROOM_COLUMNS}) VALUES
       (@id, @hostKeyHash, @createdAt, @ownerId, @title, @settings, @passwordHash)`,
    );
    this.#select = db.prepare<[string], RoomRow>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = ?`);
    this.#byOwner = db.prepare<[string, number], RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM rooms WHERE owner_id = ? ORDER BY created_at DESC LIMIT ?`,
    );
    this.#updateSettings = db.prepare(
      'UPDATE rooms SET settings = @settings, password_hash = @passwordHash WHERE id = @id',
    );
  }

  async create(record: RoomRecord): Promise<void> {
    this.#insert.run({ ...record, settings: JSON.stringify(record.settings) });
  }

  async get(id: RoomId): Promise<RoomRecord | undefined> {
    const row = this.#select.get(id);
    return row && roomRecordOf(row);
  }

  async listByOwner(ownerId: string, limit = 100): Promise<RoomRecord[]> {
    return this.#byOwner.all(ownerId, limit).map(roomRecordOf);
  }

  async saveSettings(
    id: RoomId,
    settings: StoredSettings,
    passwordHash: string | null,
  ): Promise<void> {
    this.#updateSettings.run({ id, settings: JSON.stringify(settings), passwordHash });
  }
}
