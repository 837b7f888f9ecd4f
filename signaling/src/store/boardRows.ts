import type { StoredBoard } from './types.ts';

/**
 * A board as both engines read it: one query returns the snapshot row (`part` 0, with the last
 * sequence number) and the update rows (`part` 1) after it, in order.
 */
export interface BoardPartRow {
  part: number;
  seq: number;
  data: Buffer | null;
}

export function boardOf(rows: BoardPartRow[]): StoredBoard {
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
/** What both drivers bind as bytes (a BLOB in SQLite, BYTEA in PostgreSQL). */
export const bufferOf = (u: Uint8Array): Buffer =>
  Buffer.from(u.buffer, u.byteOffset, u.byteLength);
