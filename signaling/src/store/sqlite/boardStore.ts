import type { RoomId } from '@parley/protocol';
import type { BoardStore, StoredBoard } from '../types.ts';
import type { Db } from './db.ts';

/** One row of a board's load: its `boards` row (part 0) and then its updates (part 1). */
interface BoardPartRow {
  part: number;
  seq: number;
  data: Buffer | null;
}

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

function boardOf(rows: BoardPartRow[]): StoredBoard {
  const board: StoredBoard = { snapshot: null, updates: [], lastSeq: 0, bytes: 0 };
  for (const { part, seq, data } of rows) {
    const bytes = data && bytesOf(data);
    if (part === 0) {
      board.snapshot = bytes;
      board.lastSeq = seq;
    } else if (bytes) board.updates.push(bytes);
    board.bytes += bytes?.byteLength ?? 0;
  }
  return board;
}

/** The driver's Buffer seen as a plain Uint8Array (no copy), as the interface promises. */
const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
/** The driver binds Buffers as BLOBs. */
const bufferOf = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
