import type { ChatMessage } from '@parley/protocol';

/** A message typed here and sent, not yet acknowledged by the server. */
export interface PendingChat {
  clientId: string;
  text: string;
}

/**
 * Someone came into the call or left it after we joined (issue 19). Shown among the
 * messages, in this tab only: the server neither stores nor sends these lines.
 */
export interface PresenceLine {
  /** In the order they happened, unique in this tab. */
  id: number;
  name: string;
  change: 'joined' | 'left';
  /** This browser's clock. */
  ts: number;
  /** The newest message when it happened: the line shows after it (clocks may differ). */
  afterSeq: number;
}

/** Plain data, immutable updates: the controller keeps one and publishes views of it. */
export interface ChatState {
  /** Acknowledged messages, unique by seq, ascending. */
  confirmed: readonly ChatMessage[];
  /** Sent but not acknowledged, in send order; resent with the same clientId on reconnect. */
  pending: readonly PendingChat[];
  /** Client ids this tab sent (to tell "mine" after a reconnect changed our peer id). */
  sentIds: ReadonlySet<string>;
  /** Joins and leaves, oldest first. */
  presence: readonly PresenceLine[];
}

/** What the chat panel renders: a message, or a line saying someone joined or left. */
export interface ChatEntry {
  key: string;
  kind: 'message' | PresenceLine['change'];
  name: string;
  text: string;
  ts: number | null;
  pending: boolean;
  mine: boolean;
}

export function emptyChat(): ChatState {
  return { confirmed: [], pending: [], sentIds: new Set(), presence: [] };
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

/** Notes that someone joined or left, after the messages we have. */
export function addPresence(
  state: ChatState,
  line: { name: string; change: PresenceLine['change']; ts: number },
): ChatState {
  const id = (state.presence.at(-1)?.id ?? 0) + 1;
  const presence = [...state.presence, { ...line, id, afterSeq: highestSeq(state) }];
  return { ...state, presence };
}

export function highestSeq(state: ChatState): number {
  return state.confirmed.at(-1)?.seq ?? 0;
}

/** Messages in seq order with the join and leave lines among them, then those being sent. */
export function chatView(state: ChatState, selfName: string): ChatEntry[] {
  const entries: ChatEntry[] = [];
  let next = 0;
  const linesBefore = (seq: number) => {
    for (; next < state.presence.length; next++) {
      const line = state.presence[next] as PresenceLine;
      if (line.afterSeq >= seq) return;
      entries.push(presenceEntry(line));
    }
  };
  for (const m of state.confirmed) {
    linesBefore(m.seq);
    entries.push({
      key: `s${m.seq}`,
      kind: 'message',
      name: m.name,
      text: m.text,
      ts: m.ts,
      pending: false,
      mine: state.sentIds.has(m.clientId),
    });
  }
  linesBefore(Infinity);
  for (const p of state.pending) {
    entries.push({
      key: `p${p.clientId}`,
      kind: 'message',
      name: selfName,
      text: p.text,
      ts: null,
      pending: true,
      mine: true,
    });
  }
  return entries;
}

function presenceEntry(line: PresenceLine): ChatEntry {
  const { id, name, change, ts } = line;
  const text = `${name} ${change}`;
  return { key: `j${id}`, kind: change, name, text, ts, pending: false, mine: false };
}
