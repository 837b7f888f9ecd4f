import type { ChatMessage } from '@parley/protocol';

/** A message typed here and sent, not yet acknowledged by the server. */
export interface PendingChat {
  clientId: string;
  text: string;
}

/** Plain data, immutable updates: the controller keeps one and publishes views of it. */
export interface ChatState {
  /** Acknowledged messages, unique by seq, ascending. */
  confirmed: readonly ChatMessage[];
  /** Sent but not acknowledged, in send order; resent with the same clientId on reconnect. */
  pending: readonly PendingChat[];
  /** Client ids this tab sent (to tell "mine" after a reconnect changed our peer id). */
  sentIds: ReadonlySet<string>;
}

/** What the chat panel renders. */
export interface ChatEntry {
  key: string;
  name: string;
  text: string;
  ts: number | null;
  pending: boolean;
  mine: boolean;
}

export function emptyChat(): ChatState {
  return { confirmed: [], pending: [], sentIds: new Set() };
}

export function addPending(state: ChatState, msg: PendingChat): ChatState {
  const sentIds = new Set(state.sentIds).add(msg.clientId);
  return { ...state, pending: [...state.pending, msg], sentIds };
}

/** Adds messages from a broadcast, a join reply or a history page: dedupe by seq, keep order. */
export function mergeMessages(state: ChatState, incoming: readonly ChatMessage[]): ChatState {
  if (incoming.length === 0) return state;
  const bySeq = new Map<number, ChatMessage>();
  for (const m of state.confirmed) bySeq.set(m.seq, m);
  for (const m of incoming) if (!bySeq.has(m.seq)) bySeq.set(m.seq, m);
  const confirmed = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const done = new Set(incoming.map((m) => m.clientId as string));
  const pending = state.pending.filter((p) => !done.has(p.clientId));
  return { ...state, confirmed, pending };
}

/** The ack may overtake the broadcast: the pending text becomes a confirmed message at once. */
export function applyAck(
  state: ChatState,
  ack: { clientId: string; seq: number; ts: number },
  self: { peerId: string; name: string },
): ChatState {
  const sent = state.pending.find((p) => p.clientId === ack.clientId);
  if (!sent) return state;
  const message = {
    seq: ack.seq,
    clientId: ack.clientId,
    from: self.peerId,
    name: self.name,
    text: sent.text,
    ts: ack.ts,
  } as ChatMessage; // ids are branded by the protocol; these came from the server.
  return mergeMessages(state, [message]);
}

export function highestSeq(state: ChatState): number {
  return state.confirmed.at(-1)?.seq ?? 0;
}

export function chatView(state: ChatState, selfName: string): ChatEntry[] {
  const done: ChatEntry[] = state.confirmed.map((m) => ({
    key: `s${m.seq}`,
    name: m.name,
    text: m.text,
    ts: m.ts,
    pending: false,
    mine: state.sentIds.has(m.clientId),
  }));
  const waiting: ChatEntry[] = state.pending.map((p) => ({
    key: `p${p.clientId}`,
    name: selfName,
    text: p.text,
    ts: null,
    pending: true,
    mine: true,
  }));
  return [...done, ...waiting];
}
