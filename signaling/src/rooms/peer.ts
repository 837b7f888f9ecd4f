import type { MediaState, PeerId, PeerInfo, Role, ServerMessage } from '@parley/protocol';
import type { Identity } from './lobby.ts';
import type { AdmitResult } from './room.ts';

/** How a Peer reaches its client; the WebSocket connection implements it. */
export interface PeerSink {
  send(message: ServerMessage): void;
  /** Another socket resumed this seat: let go of it without leaving the room. */
  replaced(): void;
  /** Let in from the waiting room: the client is now in the meeting. */
  admitted(snapshot: AdmitResult): void;
  /** Out of the room (denied, removed, meeting ended); `removed` was already sent. */
  ejected(): void;
}

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
  /** When this peer asked to join (ms since the epoch): its waiting time. */
  readonly since = Date.now();
  #sink: PeerSink | undefined;
  #held: ServerMessage[] = [];

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
  ) {
    this.role = role;
    this.media = media;
    this.#sink = sink;
  }

  /** Lets the client in (from the waiting room). */
  admitted(snapshot: AdmitResult): void {
    this.#sink?.admitted(snapshot);
  }

  /** Tells the client why it is out, and lets go of it. */
  eject(reason: 'denied' | 'removed' | 'ended'): void {
    this.send({ type: 'removed', reason });
    this.#sink?.ejected();
    this.#sink = undefined;
  }

  get connected(): boolean {
    return this.#sink !== undefined;
  }

  send(message: ServerMessage): void {
    if (this.#sink) return this.#sink.send(message);
    if (message.type !== 'signal') return;
    this.#held.push(message);
    if (this.#held.length > MAX_HELD_SIGNALS) this.#held.shift();
  }

  detach(): void {
    this.#sink = undefined;
  }

  /** Binds a new socket (a resume); a still-open old one is told it was replaced. */
  attach(sink: PeerSink): void {
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
    return { peerId: this.id, name: this.name, role: this.role, media: { ...this.media } };
  }
}
