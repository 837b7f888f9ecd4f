import type { RoomId } from '@parley/protocol';
import type { SlideDeckRecord, SlideStore } from '../types.ts';
import type { PgPool } from './pool.ts';

interface DeckRow {
  id: string;
  roomId: string;
  bytes: number;
  createdAt: number;
}

/**
 * Slide decks in PostgreSQL, their PDFs in the row (so any node serves them). A put counts and
 * inserts under a transaction-scoped advisory lock on the room: two uploads at once, even on
 * two nodes, cannot both take its last place.
 */
export class PgSlideStore implements SlideStore {
  constructor(private readonly pool: PgPool) {}

  put(deck: SlideDeckRecord, pdf: Uint8Array, max: number): Promise<boolean> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `slides:${deck.roomId}`,
      ]);
      const [row] = await tx.query<{ decks: number }>(
        'SELECT COUNT(*) AS decks FROM slide_decks WHERE room_id = $1',
        [deck.roomId],
      );
      if ((row?.decks ?? 0) >= max) return false;
      await tx.query(
        `INSERT INTO slide_decks (id, room_id, bytes, created_at, pdf) VALUES ($1, $2, $3, $4, $5)`,
        [
          deck.id,
          deck.roomId,
          deck.bytes,
          deck.createdAt,
          Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength),
        ],
      );
      return true;
    });
  }

  async get(roomId: RoomId, deckId: string): Promise<Uint8Array | undefined> {
    const [row] = await this.pool.query<{ pdf: Buffer }>(
      'SELECT pdf FROM slide_decks WHERE id = $1 AND room_id = $2',
      [deckId, roomId],
    );
    return row && new Uint8Array(row.pdf.buffer, row.pdf.byteOffset, row.pdf.byteLength);
  }

  async list(roomId: RoomId): Promise<SlideDeckRecord[]> {
    const rows = await this.pool.query<DeckRow>(
      `SELECT id, room_id AS "roomId", bytes, created_at AS "createdAt" FROM slide_decks
       WHERE room_id = $1 ORDER BY created_at, id`,
      [roomId],
    );
    return rows.map((row) => ({ ...row, roomId: row.roomId as RoomId }));
  }
}
