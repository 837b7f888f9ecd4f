import type { PeerId, RoomId } from '@parley/protocol';
import { doorState } from '../doorRows.ts';
import type { HandRow, MarkRow, SeatRow } from '../doorRows.ts';
import type { DoorMarkKind, DoorState, DoorStore, SeatRecord, StoredHand } from '../types.ts';
import type { Db } from './db.ts';

export class SqliteDoorStore implements DoorStore {
  readonly #marks;
  readonly #seats;
  readonly #hands;
  readonly #raise;
  readonly #lower;
  readonly #lowerAll;
  readonly #mark;
  readonly #unmark;
  readonly #seat;
  readonly #unseat;
  readonly #clear;
  readonly #aliveAt;
  readonly #alive;
  readonly #touch;

  constructor(db: Db) {
    this.#marks = db.prepare<[string], MarkRow>(
      'SELECT kind, identity_key FROM door_marks WHERE room_id = ? ORDER BY kind, identity_key',
    );
    this.#seats = db.prepare<[string], SeatRow>(
      `SELECT peer_id, token_hash, name, role, identity_keys FROM door_seats
       WHERE room_id = ? ORDER BY peer_id`,
    );
    this.#hands = db.prepare<[string], HandRow>(
      `SELECT identity_key, raised_at FROM door_hands WHERE room_id = ?
       ORDER BY raised_at, identity_key`,
    );
    this.#aliveAt = db.prepare<[string], { alive_at: number }>(
      'SELECT alive_at FROM door_meetings WHERE room_id = ?',
    );
    const alive = db.prepare(
      `INSERT INTO door_meetings (room_id, alive_at) VALUES (?, ?)
       ON CONFLICT (room_id) DO UPDATE SET alive_at = excluded.alive_at`,
    );
    this.#alive = (roomId: string) => alive.run(roomId, Date.now());
    const touch = db.prepare('UPDATE door_meetings SET alive_at = ? WHERE room_id = ?');
    this.#touch = db.transaction((roomIds: readonly string[], now: number) => {
      for (const id of roomIds) touch.run(now, id);
    });
    const mark = db.prepare(
      'INSERT OR IGNORE INTO door_marks (room_id, kind, identity_key) VALUES (?, ?, ?)',
    );
    const unmark = db.prepare(
      'DELETE FROM door_marks WHERE room_id = ? AND kind = ? AND identity_key = ?',
    );
    this.#mark = db.transaction((roomId: string, kind: DoorMarkKind, keys: readonly string[]) => {
      for (const key of keys) mark.run(roomId, kind, key);
      this.#alive(roomId);
    });
    this.#unmark = db.transaction((roomId: string, kind: DoorMarkKind, keys: readonly string[]) => {
      for (const key of keys) unmark.run(roomId, kind, key);
    });
    const seat = db.prepare(
      `INSERT OR REPLACE INTO door_seats (room_id, peer_id, token_hash, name, role, identity_keys)
       VALUES (@roomId, @peerId, @tokenHash, @name, @role, @identityKeys)`,
    );
    this.#seat = db.transaction((roomId: string, record: SeatRecord) => {
      seat.run({ roomId, ...record, identityKeys: JSON.stringify(record.identityKeys) });
      this.#alive(roomId);
    });
    this.#unseat = db.prepare('DELETE FROM door_seats WHERE room_id = ? AND peer_id = ?');
    const raise = db.prepare(
      'INSERT OR IGNORE INTO door_hands (room_id, identity_key, raised_at) VALUES (?, ?, ?)',
    );
    this.#raise = db.transaction((roomId: string, hand: StoredHand) => {
      raise.run(roomId, hand.key, hand.at);
      this.#alive(roomId);
    });
    const lower = db.prepare('DELETE FROM door_hands WHERE room_id = ? AND identity_key = ?');
    this.#lower = db.transaction((roomId: string, keys: readonly string[]) => {
      for (const key of keys) lower.run(roomId, key);
    });
    this.#lowerAll = db.prepare('DELETE FROM door_hands WHERE room_id = ?');
    const clearMarks = db.prepare('DELETE FROM door_marks WHERE room_id = ?');
    const clearSeats = db.prepare('DELETE FROM door_seats WHERE room_id = ?');
    const clearMeeting = db.prepare('DELETE FROM door_meetings WHERE room_id = ?');
    this.#clear = db.transaction((roomId: string) => {
      clearMarks.run(roomId);
      clearSeats.run(roomId);
      this.#lowerAll.run(roomId);
      clearMeeting.run(roomId);
    });
  }

  async load(roomId: RoomId): Promise<DoorState> {
    return doorState(
      this.#marks.all(roomId),
      this.#seats.all(roomId),
      this.#hands.all(roomId),
      this.#aliveAt.get(roomId)?.alive_at,
    );
  }

  async mark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    this.#mark(roomId, kind, keys);
  }

  async unmark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    this.#unmark(roomId, kind, keys);
  }

  async seat(roomId: RoomId, seat: SeatRecord): Promise<void> {
    this.#seat(roomId, seat);
  }

  async unseat(roomId: RoomId, peerId: PeerId): Promise<void> {
    this.#unseat.run(roomId, peerId);
  }

  async raiseHand(roomId: RoomId, hand: StoredHand): Promise<void> {
    this.#raise(roomId, hand);
  }

  async lowerHands(roomId: RoomId, keys: readonly string[] | null): Promise<void> {
    if (keys === null) this.#lowerAll.run(roomId);
    else this.#lower(roomId, keys);
  }

  async clear(roomId: RoomId): Promise<void> {
    this.#clear(roomId);
  }

  async touch(roomIds: readonly RoomId[]): Promise<void> {
    if (roomIds.length > 0) this.#touch(roomIds, Date.now());
  }
}
