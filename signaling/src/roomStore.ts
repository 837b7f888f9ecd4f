import type { RoomId } from '@parley/protocol';
import type { Db } from './db.ts';

export interface RoomRecord {
  id: RoomId;
  hostKeyHash: string;
  createdAt: number;
}

interface RoomRow {
  id: string;
  host_key_hash: string;
  created_at: number;
}

/** Rooms as persisted: which ids exist and who may claim the host role. */
export class RoomStore {
  readonly #insert;
  readonly #select;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO rooms (id, host_key_hash, created_at) VALUES (@id, @hostKeyHash, @createdAt)',
    );
    this.#select = db.prepare<[string], RoomRow>(
      'SELECT id, host_key_hash, created_at FROM rooms WHERE id = ?',
    );
  }

  create(record: RoomRecord): void {
    this.#insert.run(record);
  }

  get(id: RoomId): RoomRecord | undefined {
    const row = this.#select.get(id);
    if (!row) return undefined;
    return { id: row.id as RoomId, hostKeyHash: row.host_key_hash, createdAt: row.created_at };
  }
}
