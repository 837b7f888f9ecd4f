import type { PeerId, RoomId } from '@parley/protocol';
import { doorState } from '../doorRows.ts';
import type { MarkRow, SeatRow } from '../doorRows.ts';
import type { DoorMarkKind, DoorState, DoorStore, SeatRecord } from '../types.ts';
import type { PgPool } from './pool.ts';

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
      return doorState(marks, seats);
    });
  }

  async mark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query(
      `INSERT INTO door_marks (room_id, kind, identity_key)
       SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      [roomId, kind, keys],
    );
  }

  async unmark(roomId: RoomId, kind: DoorMarkKind, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.pool.query(
      'DELETE FROM door_marks WHERE room_id = $1 AND kind = $2 AND identity_key = ANY($3::text[])',
      [roomId, kind, keys],
    );
  }

  async seat(roomId: RoomId, seat: SeatRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO door_seats (room_id, peer_id, token_hash, name, role, identity_keys)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (room_id, peer_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
         name = EXCLUDED.name, role = EXCLUDED.role, identity_keys = EXCLUDED.identity_keys`,
      [roomId, seat.peerId, seat.tokenHash, seat.name, seat.role, seat.identityKeys],
    );
  }

  async unseat(roomId: RoomId, peerId: PeerId): Promise<void> {
    await this.pool.query('DELETE FROM door_seats WHERE room_id = $1 AND peer_id = $2', [
      roomId,
      peerId,
    ]);
  }

  async clear(roomId: RoomId): Promise<void> {
    await this.pool.transaction(async (tx) => {
      await tx.query('DELETE FROM door_marks WHERE room_id = $1', [roomId]);
      await tx.query('DELETE FROM door_seats WHERE room_id = $1', [roomId]);
    });
  }
}
