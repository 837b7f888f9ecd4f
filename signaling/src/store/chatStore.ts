import type { ChatMessage, ClientMessageId, PeerId, RoomId } from '@parley/protocol';
import type { Db } from './db.ts';

interface ChatRow {
  seq: number;
  client_id: string;
  peer_id: string;
  name: string;
  text: string;
  ts: number;
}

export interface NewChatMessage {
  clientId: ClientMessageId;
  from: PeerId;
  name: string;
  text: string;
  ts: number;
}

/** What `append` did: a fresh message, or the one already stored under that client id. */
export interface AppendResult {
  message: ChatMessage;
  duplicate: boolean;
}

function toMessage(row: ChatRow): ChatMessage {
  return {
    seq: row.seq,
    clientId: row.client_id as ClientMessageId,
    from: row.peer_id as PeerId,
    name: row.name,
    text: row.text,
    ts: row.ts,
  };
}

/**
 * Chat history per room, with a gap-free sequence per room. A message is acked only after
 * its row is committed, so an acked message survives a crash or restart.
 */
export class ChatStore {
  readonly #byClientId;
  readonly #maxSeq;
  readonly #insert;
  readonly #after;
  readonly #recent;
  readonly #append;
  readonly #appendMany;
  #pending: { roomId: RoomId; msg: NewChatMessage; done: (r: AppendResult | Error) => void }[] = [];

  constructor(db: Db) {
    const cols = 'seq, client_id, peer_id, name, text, ts';
    this.#byClientId = db.prepare<[string, string], ChatRow>(
      `SELECT ${cols} FROM chat WHERE room_id = ? AND client_id = ?`,
    );
    this.#maxSeq = db
      .prepare<[string], number>('SELECT COALESCE(MAX(seq), 0) FROM chat WHERE room_id = ?')
      .pluck();
    this.#insert = db.prepare(
      `INSERT INTO chat (room_id, seq, client_id, peer_id, name, text, ts)
       VALUES (@roomId, @seq, @clientId, @from, @name, @text, @ts)`,
    );
    this.#after = db.prepare<[string, number, number], ChatRow>(
      `SELECT ${cols} FROM chat WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#recent = db.prepare<[string, number], ChatRow>(
      `SELECT ${cols} FROM (SELECT * FROM chat WHERE room_id = ? ORDER BY seq DESC LIMIT ?)
       ORDER BY seq`,
    );
    // One transaction: the duplicate check, the next seq and the insert cannot interleave.
    this.#append = db.transaction((roomId: RoomId, msg: NewChatMessage): AppendResult => {
      const existing = this.#byClientId.get(roomId, msg.clientId);
      if (existing) return { message: toMessage(existing), duplicate: true };
      const seq = (this.#maxSeq.get(roomId) ?? 0) + 1;
      this.#insert.run({ roomId, seq, ...msg });
      return { message: { seq, ...msg }, duplicate: false };
    });
    this.#appendMany = db.transaction((batch: { roomId: RoomId; msg: NewChatMessage }[]) =>
      batch.map(({ roomId, msg }) => this.#append(roomId, msg)),
    );
  }

  /**
   * Like `append`, but every message submitted in the same event-loop turn is committed in one
   * transaction (all rooms together). A commit per message costs several page writes and
   * blocks the loop; under load that blocked every room's fan-out (see BENCHMARKS.md). Each
   * promise resolves only after the commit, so an ack still means "stored".
   */
  appendSoon(roomId: RoomId, msg: NewChatMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) setImmediate(() => this.#flush());
      this.#pending.push({
        roomId,
        msg,
        done: (r) => (r instanceof Error ? reject(r) : resolve(r)),
      });
    });
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

  /** Stores a message, or returns the stored one when its client id was seen before. */
  append(roomId: RoomId, msg: NewChatMessage): AppendResult {
    return this.#append(roomId, msg);
  }

  /** Messages with seq > `since`, oldest first, at most `limit`. */
  after(roomId: RoomId, since: number, limit: number): ChatMessage[] {
    return this.#after.all(roomId, since, limit).map(toMessage);
  }

  /** The `limit` most recent messages, oldest first. */
  recent(roomId: RoomId, limit: number): ChatMessage[] {
    return this.#recent.all(roomId, limit).map(toMessage);
  }
}
