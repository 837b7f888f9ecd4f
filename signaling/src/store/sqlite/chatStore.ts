import type { ChatMessage, RoomId } from '@parley/protocol';
import type { AppendResult, ChatStore, NewChatMessage } from '../types.ts';
import type { Db } from './db.ts';
import { CHAT_COLUMNS, chatMessageOf } from '../rows.ts';
import type { ChatRow } from '../rows.ts';

interface PendingAppend {
  roomId: RoomId;
  msg: NewChatMessage;
  done: (r: AppendResult | Error) => void;
}

/**
 * Chat in SQLite. Every message appended in the same event-loop turn is committed in one
 * transaction (all rooms together): a commit per message costs several page writes and
 * blocks the loop, and under load that blocked every room's fan-out (see BENCHMARKS.md).
 * Each promise resolves only after the commit, so an ack still means "stored".
 */
export class SqliteChatStore implements ChatStore {
  readonly #after;
  readonly #recent;
  readonly #appendMany;
  #pending: PendingAppend[] = [];

  constructor(db: Db) {
    const byClientId = db.prepare<[string, string], ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM chat WHERE room_id = ? AND client_id = ?`,
    );
    const maxSeq = db
      .prepare<[string], number>('SELECT COALESCE(MAX(seq), 0) FROM chat WHERE room_id = ?')
      .pluck();
    const insert = db.prepare(
      `INSERT INTO chat (room_id, seq, client_id, peer_id, name, text, ts)
       VALUES (@roomId, @seq, @clientId, @from, @name, @text, @ts)`,
    );
    this.#after = db.prepare<[string, number, number], ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM chat WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#recent = db.prepare<[string, number], ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM (SELECT * FROM chat WHERE room_id = ? ORDER BY seq DESC LIMIT ?)
       ORDER BY seq`,
    );
    // One transaction: the duplicate checks, the next seqs and the inserts cannot interleave.
    this.#appendMany = db.transaction((batch: readonly PendingAppend[]) =>
      batch.map(({ roomId, msg }): AppendResult => {
        const existing = byClientId.get(roomId, msg.clientId);
        if (existing) return { message: chatMessageOf(existing), duplicate: true };
        const seq = (maxSeq.get(roomId) ?? 0) + 1;
        insert.run({ roomId, seq, ...msg });
        return { message: { seq, ...msg }, duplicate: false };
      }),
    );
  }

  append(roomId: RoomId, msg: NewChatMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({
        roomId,
        msg,
        done: (r) => (r instanceof Error ? reject(r) : resolve(r)),
      });
    });
  }

  async after(roomId: RoomId, since: number, limit: number): Promise<ChatMessage[]> {
    return this.#after.all(roomId, since, limit).map(chatMessageOf);
  }

  async recent(roomId: RoomId, limit: number): Promise<ChatMessage[]> {
    return this.#recent.all(roomId, limit).map(chatMessageOf);
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    let results: AppendResult[];
    try {
      results = this.#appendMany(batch);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const p of batch) p.done(failure);
      return;
    }
    batch.forEach((p, i) => p.done(results[i] as AppendResult));
  }
}
