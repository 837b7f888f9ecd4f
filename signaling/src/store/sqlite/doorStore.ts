import type { PeerId, RoomId } from '@parley/protocol';
import { doorState } from '../doorRows.ts';
import type { MarkRow, SeatRow } from '../doorRows.ts';
import type { DoorMarkKind, DoorState, DoorStore, SeatRecord } from '../types.ts';
import type { Db } from './db.ts';

export class SqliteDoorStore implements DoorStore {
  readonly #marks;
  readonly #seats;
  readonly #mark;
  readonly #unmark;
  readonly #seat;
  readonly #unseat;
  readonly #clear;

  constructor(db: Db) {
    this.#marks = db.prepare<[string], MarkRow>(
      'SELECT kind, identity_key FROM door_marks WHERE room_id = ? ORDER BY kind, identity_key',
    );
    this.#seats = db.prepare<[string], SeatRow>(
      `SELECT peer_id, token_hash, name, role, identity_keys FROM door_seats
       WHERE room_id = ? ORDER BY peer_id`,
    );
    const mark = db.prepare(
      'INSERT OR IGNORE INTO door_marks (room_id, kind, identity_key) VALUES (?, ?, ?)',
    );
    const unmark = db.prepare(
      'DELETE FROM door_marks WHERE room_id = ? AND kind = ? AND identity_key = ?',
    );
    this.#mark = db.transaction((roomId: string, kind: DoorMarkKind, keys: readonly string[]) => {
      for (const key of keys) mark.run(roomId, kind, key);
    });
    this.#unmark = db.transaction((roomId: string, kind: DoorMarkKind, keys: readonly string[]) => {
      for (const key of keys) unmark.run(roomId, kind, key);
    });
    this.#seat = db.prepare(
      `INSERT OR REPLACE INTO door_seats (room_id, peer_id, token_hash, name, role, identity_keys)
       VALUES (@roomId, @peerId, @tokenHash, @name, @role, @identityKeys)`,
    );
    this.#unseat = db.prepare('DELETE FROM door_seats WHERE room_id = ? AND peer_id = ?');
    const clearMarks = db.prepare('DELETE FROM door_marks WHERE room_id = ?');
    const clearSeats = db.prepare('DELETE FROM door_seats WHERE room_id = ?');
    this.#clear = db.transaction((roomId: string) => {
      clearMarks.run(roomId);
      clearSeats.run(roomId);
    });
  }

  async load(roomId: RoomId): Promise<DoorState> {
    return doorState(this.#marks.all(roomId), this.#seats.all(roomId));
  }

  async mark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    this.#mark(roomId, kind, keys);
  }

  async unmark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    this.#unmark(roomId, kind, keys);
  }

  async seat(roomId: RoomId, seat: SeatRecord): Promise<void> {
    this.#seat.run({ roomId, ...seat, identityKeys: JSON.stringify(seat.identityKeys) });
  }

  async unseat(roomId: RoomId, peerId: PeerId): Promise<void> {
    this.#unseat.run(roomId, peerId);
  }

  async clear(roomId: RoomId): Promise<void> {
    this.#clear(roomId);
  }
}
