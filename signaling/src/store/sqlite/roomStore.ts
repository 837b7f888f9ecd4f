import type { RoomId } from '@parley/protocol';
import { parseSettings } from '../settings.ts';
import type { RoomRecord, RoomStore, StoredSettings } from '../types.ts';
import type { Db } from './db.ts';

interface RoomRow {
  id: string;
  host_key_hash: string;
  created_at: number;
  owner_id: string | null;
  title: string | null;
  settings: string;
  password_hash: string | null;
}

const COLUMNS = 'id, host_key_hash, created_at, owner_id, title, settings, password_hash';

export class SqliteRoomStore implements RoomStore {
  readonly #insert;
  readonly #select;
  readonly #byOwner;
  readonly #updateSettings;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO rooms (${COLUMNS}) VALUES
       (@id, @hostKeyHash, @createdAt, @ownerId, @title, @settings, @passwordHash)`,
    );
    this.#select = db.prepare<[string], RoomRow>(`SELECT ${COLUMNS} FROM rooms WHERE id = ?`);
    this.#byOwner = db.prepare<[string, number], RoomRow>(
      `SELECT ${COLUMNS} FROM rooms WHERE owner_id = ? ORDER BY created_at DESC LIMIT ?`,
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
    return row && fromRow(row);
  }

  async listByOwner(ownerId: string, limit = 100): Promise<RoomRecord[]> {
    return this.#byOwner.all(ownerId, limit).map(fromRow);
  }

  async saveSettings(
    id: RoomId,
    settings: StoredSettings,
    passwordHash: string | null,
  ): Promise<void> {
    this.#updateSettings.run({ id, settings: JSON.stringify(settings), passwordHash });
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
