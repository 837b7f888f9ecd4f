import { LIMITS } from '@parley/protocol';
import type { ChatMessage, ClientMessageId, RoomId, ServerMessage } from '@parley/protocol';
import type { AppendResult, ChatStore } from '../store/index.ts';
import type { Peer } from './peer.ts';

/**
 * A meeting's chat: each message is stored before it is fanned out, so nothing acked is lost,
 * and the history is read back for a joiner, a resumed seat and a client catching up. The
 * Room's `postChat` and `chatSince` land here.
 */
export class RoomChat {
  readonly #roomId: RoomId;
  readonly #store: ChatStore;
  /** Sends to every admitted peer (the Room's `broadcast`). */
  readonly #broadcast: (message: ServerMessage) => void;

  constructor(roomId: RoomId, store: ChatStore, broadcast: (message: ServerMessage) => void) {
    this.#roomId = roomId;
    this.#store = store;
    this.#broadcast = broadcast;
  }

  /** See Room.postChat. */
  async post(from: Peer, clientId: ClientMessageId, text: string): Promise<AppendResult> {
    const result = await this.#store.append(this.#roomId, {
      clientId,
      from: from.id,
      name: from.name,
      text,
      ts: Date.now(),
    });
    if (!result.duplicate) this.#broadcast({ type: 'chat', message: result.message });
    return result;
  }

  /** See Room.chatSince. */
  async since(since: number): Promise<{ messages: ChatMessage[]; more: boolean }> {
    const rows = await this.#store.after(this.#roomId, since, LIMITS.CHAT_SYNC_MAX + 1);
    return {
      messages: rows.slice(0, LIMITS.CHAT_SYNC_MAX),
      more: rows.length > LIMITS.CHAT_SYNC_MAX,
    };
  }

  /** What a joiner is shown: the latest messages. */
  recent(): Promise<ChatMessage[]> {
    return this.#store.recent(this.#roomId, LIMITS.CHAT_HISTORY_ON_JOIN);
  }

  /** What a resumed seat missed after `lastSeq`, at most CHAT_SYNC_MAX. */
  missed(lastSeq: number): Promise<ChatMessage[]> {
    return this.#store.after(this.#roomId, lastSeq, LIMITS.CHAT_SYNC_MAX);
  }
}
