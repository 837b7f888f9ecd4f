import type { PeerId, RoomId } from '@parley/protocol';
import { doorState } from '../doorRows.ts';
import type { HandRow, MarkRow, SeatRow } from '../doorRows.ts';
import type { DoorMarkKind, DoorState, DoorStore, SeatRecord, StoredHand } from '../types.ts';
import type { PgPool, Tx } from './pool.ts';

export class PgDoorStore implements DoorStore {
  constructor(private readonly pool: PgPool) {}

  /** Both tables in one snapshot: a seat and the ban that removed it are never half seen. */
  load(roomId: RoomId): Promise<DoorState> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const marks = await tx.query<MarkRow>(
        `SELECT kind, identity_key FROM door_marks WHERE room_id = $1
         ORDER BY kind, identity_key`,
        [roomId],
      );
      const seats = await tx.query<SeatRow>(
        `SELECT peer_id, token_hash, name, role, identity_keys FROM door_seats
         WHERE room_id = $1 ORDER BY peer_id`,
        [roomId],
      );
      const hands = await tx.query<HandRow>(
        `SELECT identity_key, raised_at FROM door_hands WHERE room_id = $1
         ORDER BY raised_at, identity_key`,
        [roomId],
      );
      const [meeting] = await tx.query<{ alive_at: string }>(
        'SELECT alive_at FROM door_meetings WHERE room_id = $1',
        [roomId],
      );
      return doorState(marks, seats, hands, meeting?.alive_at);
    });
  }

  async mark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO door_marks (room_id, kind, identity_key)
         SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
        [roomId, kind, keys],
      );
      await alive(tx, roomId);
    });
  }

  async unmark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query(
      'DELETE FROM door_marks WHERE room_id = $1 AND kind = $2 AND identity_key = ANY($3::text[])',
      [roomId, kind, keys],
    );
  }

  async seat(roomId: RoomId, seat: SeatRecord): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO door_seats (room_id, peer_id, token_hash, name, role, identity_keys)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (room_id, peer_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
           name = EXCLUDED.name, role = EXCLUDED.role, identity_keys = EXCLUDED.identity_keys`,
        [roomId, seat.peerId, seat.tokenHash, seat.name, seat.role, seat.identityKeys],
      );
      await alive(tx, roomId);
    });
  }

  async unseat(roomId: RoomId, peerId: PeerId): Promise<void> {
    await this.pool.query('DELETE FROM door_seats WHERE room_id = $1 AND peer_id = $2', [
      roomId,
      peerId,
    ]);
  }

  async raiseHand(roomId: RoomId, hand: StoredHand): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO door_hands (room_id, identity_key, raised_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [roomId, hand.key, hand.at],
      );
      await alive(tx, roomId);
    });
  }

  async lowerHands(roomId: RoomId, keys: readonly string[] | null): Promise<void> {
    if (keys === null) {
      await this.pool.query('DELETE FROM door_hands WHERE room_id = $1', [roomId]);
    } else if (keys.length > 0) {
      await this.pool.query(
        'DELETE FROM door_hands WHERE room_id = $1 AND identity_key = ANY($2::text[])',
        [roomId, keys],
      );
    }
  }

  async clear(roomId: RoomId): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query('DELETE FROM door_marks WHERE room_id = $1', [roomId]);
      await tx.query('DELETE FROM door_seats WHERE room_id = $1', [roomId]);
      await tx.query('DELETE FROM door_hands WHERE room_id = $1', [roomId]);
      await tx.query('DELETE FROM door_meetings WHERE room_id = $1', [roomId]);
    });
  }

  async touch(roomIds: readonly RoomId[]): Promise<void> {
    if (roomIds.length === 0) return;
    await this.pool.query(
      'UPDATE door_meetings SET alive_at = $1 WHERE room_id = ANY($2::text[])',
      [Date.now(), roomIds],
    );
  }
}

/** The meeting is running: written with each mark and seat, in the same transaction. */
async function alive(tx: Tx, roomId: RoomId): Promise<void> {
  await tx.query(
    `INSERT INTO door_meetings (room_id, alive_at) VALUES ($1, $2)
     ON CONFLICT (room_id) DO UPDATE SET alive_at = EXCLUDED.alive_at`,
    [roomId, Date.now()],
  );
}
