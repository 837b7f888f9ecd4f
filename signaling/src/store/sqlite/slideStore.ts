import type { RoomId } from '@parley/protocol';
import type { SlideDeckRecord, SlideStore } from '../types.ts';
import type { Db } from './db.ts';

interface DeckRow {
  id: string;
  roomId: string;
  bytes: number;
  createdAt: number;
}

/**
 * Slide decks in SQLite, their PDFs in the row. A put counts and inserts in one synchronous
 * transaction, so no two uploads can both take a room's last place.
 */
export class SqliteSlideStore implements SlideStore {
  readonly #put;
  readonly #get;
  readonly #list;

  constructor(db: Db) {
    const count = db
      .prepare<[string], number>('SELECT COUNT(*) FROM slide_decks WHERE room_id = ?')
      .pluck();
    const insert = db.prepare(
      `INSERT INTO slide_decks (id, room_id, bytes, created_at, pdf)
       VALUES (@id, @roomId, @bytes, @createdAt, @pdf)`,
    );
    this.#put = db.transaction((deck: SlideDeckRecord, pdf: Buffer, max: number): boolean => {
      if ((count.get(deck.roomId) ?? 0) >= max) return false;
      insert.run({ ...deck, pdf });
      return true;
    });
    this.#get = db
      .prepare<[string, string], Buffer>('SELECT pdf FROM slide_decks WHERE id = ? AND room_id = ?')
      .pluck();
    this.#list = db.prepare<[string], DeckRow>(
      `SELECT id, room_id AS roomId, bytes, created_at AS createdAt FROM slide_decks
       WHERE room_id = ? ORDER BY created_at, id`,
    );
  }

  async put(deck: SlideDeckRecord, pdf: Uint8Array, max: number): Promise<boolean> {
    return this.#put(deck, Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), max);
  }

  async get(roomId: RoomId, deckId: string): Promise<Uint8Array | undefined> {
    const pdf = this.#get.get(deckId, roomId);
    return pdf && new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  }

  async list(roomId: RoomId): Promise<SlideDeckRecord[]> {
    return this.#list.all(roomId).map((row) => ({ ...row, roomId: row.roomId as RoomId }));
  }
}
