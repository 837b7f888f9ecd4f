import type { ChatMessage, RoomId } from '@parley/protocol';
import type { AppendResult, ChatStore, NewChatMessage } from '../types.ts';
import type { PgPool } from './pool.ts';
import { CHAT_COLUMNS, chatMessageOf } from '../rows.ts';
import type { ChatRow } from '../rows.ts';

/**
 * Chat in PostgreSQL. A room's messages are appended under a transaction-scoped advisory lock
 * on the room, so the duplicate check, the next seq and the insert are one step even when two
 * nodes write the same room (a re-homed room's old owner finishing a write): seqs stay
 * gap-free and a client id is stored once.
 */
export class PgChatStore implements ChatStore {
  constructor(private readonly pool: PgPool) {}

  append(roomId: RoomId, msg: NewChatMessage): Promise<AppendResult> {
    return this.pool.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`chat:${roomId}`]);
      const [existing] = await tx.query<ChatRow>(
        `SELECT ${CHAT_COLUMNS} FROM chat WHERE room_id = $1 AND client_id = $2`,
        [roomId, msg.clientId],
      );
      if (existing) return { message: chatMessageOf(existing), duplicate: true };
      const [row] = await tx.query<{ seq: number }>(
        `INSERT INTO chat (room_id, seq, client_id, peer_id, name, text, ts)
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM chat WHERE room_id = $1
         RETURNING seq`,
        [roomId, msg.clientId, msg.from, msg.name, msg.text, msg.ts],
      );
      return { message: { seq: (row as { seq: number }).seq, ...msg }, duplicate: false };
    });
  }

  async after(roomId: RoomId, since: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.pool.query<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM chat WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [roomId, since, limit],
    );
    return rows.map(chatMessageOf);
  }

  async recent(roomId: RoomId, limit: number): Promise<ChatMessage[]> {
    const rows = await this.pool.query<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM (SELECT ${CHAT_COLUMNS} FROM chat WHERE room_id = $1
       ORDER BY seq DESC LIMIT $2) AS latest ORDER BY seq`,
      [roomId, limit],
    );
    return rows.map(chatMessageOf);
  }
}
