import type {
  MediaState,
  PeerId,
  PeerInfo,
  Role,
  ServerMessage,
  SfuReceive,
  Uplink,
} from '@parley/protocol';
import type { Identity } from './identity.ts';
import type { AdmitResult } from './room.ts';

/** A warm transport a join may take (ws/warmup.ts): its owner key in the SFU room, and its id. */
export interface WarmClaim {
  owner: string;
  transportId: string;
}

/** What a joiner can receive, as the server holds it: the client's, its warm transport checked. */
export type JoinerReceive = Omit<SfuReceive, 'warm'> & { warm?: WarmClaim };

/** How a Peer reaches its client; the WebSocket connection implements it. */
export interface PeerSink {
  send(message: ServerMessage): void;
  /** Another socket resumed this seat: let go of it without leaving the room. */
  replaced(): void;
  /** Let in from the waiting room: the client is now in the meeting. */
  admitted(snapshot: AdmitResult): void;
  /** Out of the room (denied or removed); `removed` was already sent. The socket stays. */
  ejected(): void;
  /** The meeting ended (`removed` was already sent): close the socket with ROOM_CLOSED. */
  roomClosed(): void;
  /** The room moved to another node: close the socket with MOVED (no `removed`). */
  roomMoved(): void;
}

/** Why a peer is out of its room: told to the client, or nothing for a plain leave. */
/** `moved`: the room goes on on another node (cluster mode); the client reconnects there. */
export type PeerExit = 'denied' | 'removed' | 'ended' | 'left' | 'moved' | 'replaced';

/** Signals kept for a disconnected peer; beyond this the oldest are dropped. */
const MAX_HELD_SIGNALS = 500;

/**
 * One admitted participant of a room. Its socket may drop and another may take its place
 * (`attach`); while detached, room events are not queued (the resume reply carries a fresh
 * snapshot) but relayed WebRTC signals are held, since they cannot be recomputed.
 */
export class Peer {
  media: MediaState;
  role: Role;
  /** The peer's own report of its uplink (`uplink`); undefined while good. */
  uplink: Uplink | undefined;
  /** When this peer asked to join (ms since the epoch): its waiting time. */
  readonly since = Date.now();
  #sink: PeerSink | undefined;
  #held: ServerMessage[] = [];
  #closed = false;
  /** The room's handlers: they take the peer out of the room's maps, once. */
  readonly #onClose = new Set<(peer: Peer) => void>();

  constructor(
    readonly id: PeerId,
    readonly name: string,
    role: Role,
    media: MediaState,
    sink: PeerSink,
    /** Proof of identity for `resume`; never sent to anyone else. */
    readonly resumeToken: string,
    /** Device and account, for bans and remembered co-hosts. */
    readonly identity: Identity = {},
    /** What its client can receive from the SFU (`join`): consumers made with its admission. */
    readonly receive?: JoinerReceive,
  ) {
    this.role = role;
    this.media = media;
    this.#sink = sink;
  }

  /** Lets the client in (from the waiting room). */
  admitted(snapshot: AdmitResult): void {
    this.#sink?.admitted(snapshot);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** `fn` runs once when the peer closes; adding the same handler twice keeps one. */
  onClose(fn: (peer: Peer) => void): void {
    this.#onClose.add(fn);
  }

  /**
   * Out of the room for good. Idempotent. The client is told why (unless it simply left) and
   * let go of: after `ended` its socket closes; after `denied` or `removed` it may join again;
   * after `moved` its socket closes with MOVED and it joins the room on its new node.
   */
  close(exit: PeerExit): void {
    if (this.#closed) return;
    this.#closed = true;
    const sink = this.#sink;
    this.#sink = undefined;
    this.#held = [];
    if (sink) tell(sink, exit);
    for (const fn of this.#onClose) fn(this);
    this.#onClose.clear();
  }

  get connected(): boolean {
    return this.#sink !== undefined;
  }

  send(message: ServerMessage): void {
    if (this.#sink) return this.#sink.send(message);
    if (this.#closed || message.type !== 'signal') return;
    this.#held.push(message);
    if (this.#held.length > MAX_HELD_SIGNALS) this.#held.shift();
  }

  detach(): void {
    this.#sink = undefined;
  }

  /** Binds a new socket (a resume); a still-open old one is told it was replaced. */
  attach(sink: PeerSink): void {
    if (this.#closed) return;
    const old = this.#sink;
    this.#sink = sink;
    if (old && old !== sink) old.replaced();
  }

  /** Sends what was held while detached; call after the resume reply. */
  flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    for (const message of held) this.send(message);
  }

  info(): PeerInfo {
    return {
      peerId: this.id,
      name: this.name,
      role: this.role,
      media: { ...this.media },
      ...(this.uplink ? { uplink: { ...this.uplink } } : {}),
    };
  }
}

/** What a peer's client hears when it leaves the room other than by its own `leave`. */
function tell(sink: PeerSink, exit: PeerExit): void {
  switch (exit) {
    case 'left':
      return;
    case 'moved':
      return sink.roomMoved();
    case 'ended':
      sink.send({ type: 'removed', reason: exit });
      return sink.roomClosed();
    case 'denied':
    case 'removed':
    case 'replaced':
      sink.send({ type: 'removed', reason: exit });
      return sink.ejected();
  }
}
