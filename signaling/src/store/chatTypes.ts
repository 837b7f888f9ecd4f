import type { ChatMessage, ClientMessageId, PeerId, RoomId } from '@parley/protocol';

// The storage interface of the rooms' chat history (acked messages are never lost).
// Part of types.ts's Storage, kept apart by subject.

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

/**
 * Chat history per room, with a gap-free sequence per room. `append` resolves only after the
 * row is committed, so an acked message survives a crash or restart.
 */
export interface ChatStore {
  /** Stores a message, or returns the stored one when its client id was seen before. */
  append(roomId: RoomId, msg: NewChatMessage): Promise<AppendResult>;
  /** Messages with seq > `since`, oldest first, at most `limit`. */
  after(roomId: RoomId, since: number, limit: number): Promise<ChatMessage[]>;
  /** The `limit` most recent messages, oldest first. */
  recent(roomId: RoomId, limit: number): Promise<ChatMessage[]>;
}
