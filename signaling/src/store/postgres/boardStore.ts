import type { RoomId } from '@parley/protocol';
import type { BoardStore, StoredBoard } from '../types.ts';
import { boardOf, bufferOf } from '../boardRows.ts';
import type { BoardPartRow } from '../boardRows.ts';
import type { PgPool } from './pool.ts';

/**
 * Whiteboards in PostgreSQL. An append numbers its update by bumping the room's `boards` row
 * (an upsert, which row-locks it until the commit), so two appends to one room, even from two
 * nodes, take consecutive seqs in commit order and never the same one. A compaction swaps the
 * snapshot and drops the updates it folded in within one transaction.
 */
export class PgBoardStore implements BoardStore {
  constructor(private readonly pool: PgPool) {}

  async load(roomId: RoomId): Promise<StoredBoard> {
    // One statement, so the snapshot and the updates come from the same state even while a
    // compaction commits.
    const rows = await this.pool.query<BoardPartRow>(
      `SELECT 0 AS part, last_seq AS seq, snapshot AS data FROM boards WHERE room_id = $1
       UNION ALL
       SELECT 1, seq, data FROM board_updates WHERE room_id = $1
       ORDER BY part, seq`,
      [roomId],
    );
    return boardOf(rows);
  }

  append(roomId: RoomId, update: Uint8Array): Promise<number> {
    return this.pool.transaction(async (tx) => {
      const [row] = await tx.query<{ seq: number }>(
        `INSERT INTO boards (room_id, last_seq) VALUES ($1, 1)
         ON CONFLICT (room_id) DO UPDATE SET last_seq = boards.last_seq + 1
         RETURNING last_seq AS seq`,
        [roomId],
      );
      const seq = (row as { seq: number }).seq;
      await tx.query('INSERT INTO board_updates (room_id, seq, data) VALUES ($1, $2, $3)', [
        roomId,
        seq,
        bufferOf(update),
      ]);
      return seq;
    });
  }

  async compact(roomId: RoomId, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    await this.pool.transaction(async (tx) => {
      // A compaction older than the stored snapshot is dropped: the updates it would replace
      // are gone already, folded into the newer one.
      const swapped = await tx.query(
        `INSERT INTO boards (room_id, last_seq, through_seq, snapshot) VALUES ($1, $2, $2, $3)
         ON CONFLICT (room_id) DO UPDATE SET snapshot = excluded.snapshot,
           through_seq = excluded.through_seq,
           last_seq = GREATEST(boards.last_seq, excluded.last_seq)
         WHERE boards.through_seq <= excluded.through_seq
         RETURNING room_id`,
        [roomId, throughSeq, bufferOf(snapshot)],
      );
      if (swapped.length === 0) return;
      await tx.query('DELETE FROM board_updates WHERE room_id = $1 AND seq <= $2', [
        roomId,
        throughSeq,
      ]);
    });
  }
}
