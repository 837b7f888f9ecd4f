import { LIMITS } from '@parley/protocol';
import type { ChatMessage, ClientMessage, ServerMessageOf } from '@parley/protocol';
import {
  addPending,
  addPresence,
  applyAck,
  emptyChat,
  highestSeq,
  mergeMessages,
} from './chatState.ts';
import type { ChatState } from './chatState.ts';
import { peerChanges } from './presence.ts';

export interface ChatSessionDeps {
  send(msg: ClientMessage): boolean;
  nextRid(): number;
  /** The chat log changed. */
  changed(chat: ChatState): void;
  /** A message was refused: say so. */
  notice(text: string): void;
}

/**
 * The room's chat from this browser's side: pending sends keyed by client id (idempotent
 * resends after a reconnect), acks, history catch-up. Pure state lives in chatState.ts.
 */
export class ChatSession {
  private chat: ChatState = emptyChat();
  /** rid of each chat send still in flight, so an error can be matched to its message. */
  private readonly rids = new Map<number, string>();

  constructor(private readonly deps: ChatSessionDeps) {}

  get state(): ChatState {
    return this.chat;
  }

  get highestSeq(): number {
    return highestSeq(this.chat);
  }

  merge(messages: ChatMessage[]): void {
    this.set(mergeMessages(this.chat, messages));
  }

  /** After a reconnect: fetch what was missed and resend what was never acknowledged. */
  resume(sinceSeq: number): void {
    this.deps.send({ type: 'chat-sync', since: sinceSeq });
    for (const p of this.chat.pending) this.sendFrame(p.clientId, p.text);
  }

  /** Queues a message; it shows as pending until acknowledged. False when the text is unusable. */
  send(text: string): boolean {
    const trimmed = text.trim();
    if (trimmed === '' || text.length > LIMITS.CHAT_TEXT_MAX) return false;
    const clientId = crypto.randomUUID();
    this.set(addPending(this.chat, { clientId, text }));
    this.sendFrame(clientId, text);
    return true;
  }

  /**
   * The call's peers changed under a server message (a peer joined or left, a resume
   * reconciled the list): a line for each who came or went. Never for those already here
   * when we joined: a fresh join is not passed here.
   */
  peersChanged(
    before: readonly { peerId: string; name: string }[],
    after: readonly { peerId: string; name: string }[],
  ): void {
    let chat = this.chat;
    for (const c of peerChanges(before, after)) chat = addPresence(chat, { ...c, ts: Date.now() });
    if (chat !== this.chat) this.set(chat);
  }

  onAck(msg: ServerMessageOf<'chat-ack'>, self: { peerId: string; name: string }): void {
    if (msg.rid !== undefined) this.rids.delete(msg.rid);
    this.set(applyAck(this.chat, msg, self));
  }

  onHistory(msg: ServerMessageOf<'chat-history'>): void {
    this.merge(msg.messages);
    if (msg.more) this.deps.send({ type: 'chat-sync', since: highestSeq(this.chat) });
  }

  /** True when the error was the refusal of one of our chat sends. */
  onError(msg: ServerMessageOf<'error'>): boolean {
    const clientId = msg.rid === undefined ? undefined : this.rids.get(msg.rid);
    if (!clientId || msg.rid === undefined) return false;
    this.rids.delete(msg.rid);
    const pending = this.chat.pending.filter((p) => p.clientId !== clientId);
    this.set({ ...this.chat, pending });
    this.deps.notice(`Message not sent: ${msg.message}`);
    return true;
  }

  private sendFrame(clientId: string, text: string): void {
    const rid = this.deps.nextRid();
    if (this.deps.send({ type: 'chat', rid, clientId: clientId as ClientIdOf, text })) {
      this.rids.set(rid, clientId);
    }
  }

  private set(chat: ChatState): void {
    this.chat = chat;
    this.deps.changed(chat);
  }
}

type ClientIdOf = Extract<ClientMessage, { type: 'chat' }>['clientId'];
