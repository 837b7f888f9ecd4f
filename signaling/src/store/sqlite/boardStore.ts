import type { RoomId } from '@parley/protocol';
import type { BoardStore, StoredBoard } from '../types.ts';
import { boardOf, bufferOf } from '../boardRows.ts';
import type { BoardPartRow } from '../boardRows.ts';
import type { Db } from './db.ts';

/**
 * Whiteboards in SQLite. Each write is one synchronous transaction: the room's `boards` row
 * numbers an append (last_seq + 1, created by the first one), and a compaction swaps the
 * snapshot and drops the updates it folded in at once, so a load never sees half of either.
 */
export class SqliteBoardStore implements BoardStore {
  readonly #load;
  readonly #append;
  readonly #compact;

  constructor(db: Db) {
    // One statement, so the snapshot and the updates come from the same state.
    this.#load = db.prepare<{ roomId: string }, BoardPartRow>(
      `SELECT 0 AS part, last_seq AS seq, snapshot AS data FROM boards WHERE room_id = @roomId
       UNION ALL
       SELECT 1, seq, data FROM board_updates WHERE room_id = @roomId
       ORDER BY part, seq`,
    );
    const next = db
      .prepare<[string], number>(
        `INSERT INTO boards (room_id, last_seq) VALUES (?, 1)
         ON CONFLICT (room_id) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
      )
      .pluck();
    const insert = db.prepare('INSERT INTO board_updates (room_id, seq, data) VALUES (?, ?, ?)');
    this.#append = db.transaction((roomId: RoomId, data: Buffer): number => {
      const seq = next.get(roomId) as number;
      insert.run(roomId, seq, data);
      return seq;
    });
    // A compaction older than the stored snapshot is dropped: the updates it would replace
    // are gone already, folded into the newer one.
    const snapshot = db.prepare(
      `INSERT INTO boards (room_id, last_seq, through_seq, snapshot)
       VALUES (@roomId, @throughSeq, @throughSeq, @snapshot)
       ON CONFLICT (room_id) DO UPDATE SET snapshot = excluded.snapshot,
         through_seq = excluded.through_seq, last_seq = MAX(last_seq, excluded.last_seq)
       WHERE through_seq <= excluded.through_seq`,
    );
    const fold = db.prepare('DELETE FROM board_updates WHERE room_id = ? AND seq <= ?');
    this.#compact = db.transaction((roomId: RoomId, data: Buffer, throughSeq: number) => {
      if (snapshot.run({ roomId, throughSeq, snapshot: data }).changes > 0) {
        fold.run(roomId, throughSeq);
      }
    });
  }

  async load(roomId: RoomId): Promise<StoredBoard> {
    return boardOf(this.#load.all({ roomId }));
  }

  async append(roomId: RoomId, update: Uint8Array): Promise<number> {
    return this.#append(roomId, bufferOf(update));
  }

  async compact(roomId: RoomId, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.#compact(roomId, bufferOf(snapshot), throughSeq);
  }
}
