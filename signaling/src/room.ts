import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type {
  ChatMessage,
  ClientMessageId,
  MediaState,
  PeerId,
  PeerInfo,
  RoomId,
  RoomMode,
  RoomSettings,
  RoomStatus,
  ServerMessage,
  SfuState,
} from '@parley/protocol';
import type { AppendResult, ChatStore } from './chatStore.ts';
import { ProtocolError } from './errors.ts';
import type { Log } from './log.ts';
import { sameSecret } from './ids.ts';
import type { Peer, PeerSink } from './peer.ts';
import { RoomMedia } from './roomMedia.ts';
import type { RoomMediaOptions } from './roomMedia.ts';
import { SerialQueue } from './serialQueue.ts';

export interface RoomOptions {
  maxPeers: number;
  chat: ChatStore;
  /** Called (inside the room's queue) when the last peer leaves. */
  onEmpty: (room: Room) => void;
  media: Omit<RoomMediaOptions, 'log'>;
  log: Log;
}

export interface AdmitResult {
  peers: PeerInfo[];
  chat: ChatMessage[];
  mode: RoomMode;
  sfu?: SfuState;
  activeSpeaker: PeerId | null;
  settings: RoomSettings;
  live: boolean;
}

/**
 * One meeting while anyone is in it: the admitted peers in join order, relay and chat fan-out.
 * Mutations (admit, remove, chat) must run through `queue` so they never interleave.
 */
export class Room {
  readonly queue = new SerialQueue();
  readonly #peers = new Map<PeerId, Peer>();
  readonly #seatTimers = new Map<PeerId, NodeJS.Timeout>();
  readonly media: RoomMedia;
  settings: RoomSettings = { screenShare: true };
  /** Set once the registry dropped this room; a join that raced with it must reopen the room. */
  closed = false;

  constructor(
    readonly id: RoomId,
    private readonly options: RoomOptions,
  ) {
    this.media = new RoomMedia(
      {
        id,
        size: () => this.size,
        hostIds: () => [...this.#peers.values()].filter((p) => p.role === 'host').map((p) => p.id),
        broadcast: (m, except) => this.broadcast(m, except),
        sendTo: (peerId, m) => this.#peers.get(peerId)?.send(m),
        enqueue: (task) => void this.queue.run(task).catch((e: unknown) => this.#failed(e)),
      },
      { ...options.media, log: options.log },
    );
  }

  get mode(): RoomMode {
    return this.media.mode;
  }

  get live(): boolean {
    return this.media.live;
  }

  get size(): number {
    return this.#peers.size;
  }

  has(peerId: PeerId): boolean {
    return this.#peers.has(peerId);
  }

  /** Admits a peer, switching the room to the SFU first when it outgrows the mesh. */
  async admit(peer: Peer): Promise<AdmitResult> {
    if (this.#peers.size >= this.options.maxPeers) {
      throw new ProtocolError(ERROR_CODES.ROOM_FULL, `room is full (${this.options.maxPeers})`);
    }
    const peers = [...this.#peers.values()].map((p) => p.info());
    this.broadcast({ type: 'peer-joined', peer: peer.info() });
    this.#peers.set(peer.id, peer);
    try {
      await this.media.reconcile(peer.id);
    } catch (error) {
      // The room could not grow its SFU: it stays a mesh rather than losing the joiner.
      this.options.log.error('mode switch failed', { room: this.id, error: String(error) });
    }
    return this.#snapshot(peers, this.options.chat.recent(this.id, LIMITS.CHAT_HISTORY_ON_JOIN));
  }

  #snapshot(peers: PeerInfo[], chat: ChatMessage[]): AdmitResult {
    const sfu = this.media.state();
    return {
      peers,
      chat,
      mode: this.mode,
      ...(sfu ? { sfu } : {}),
      activeSpeaker: this.media.activeSpeaker,
      settings: { ...this.settings },
      live: this.live,
    };
  }

  /**
   * The peer's socket dropped without a `leave`: keep its seat for `windowMs` so it can
   * resume unseen; after that it leaves like any other peer.
   */
  suspend(peerId: PeerId, windowMs: number): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    peer.detach();
    clearTimeout(this.#seatTimers.get(peerId));
    const timer = setTimeout(() => {
      this.#seatTimers.delete(peerId);
      void this.queue
        .run(async () => {
          if (!this.#peers.get(peerId)?.connected) await this.remove(peerId);
        })
        .catch((e: unknown) => this.#failed(e));
    }, windowMs);
    timer.unref();
    this.#seatTimers.set(peerId, timer);
  }

  /** Rebinds a suspended (or half-open) seat to a new socket; undefined if there is none. */
  resume(
    peerId: PeerId,
    token: string,
    sink: PeerSink,
    lastSeq: number,
  ): { peer: Peer; snapshot: AdmitResult } | undefined {
    const peer = this.#peers.get(peerId);
    if (!peer || !sameSecret(peer.resumeToken, token)) return undefined;
    clearTimeout(this.#seatTimers.get(peerId));
    this.#seatTimers.delete(peerId);
    peer.attach(sink);
    const others = [...this.#peers.values()].filter((p) => p.id !== peerId).map((p) => p.info());
    const missed = this.options.chat.after(this.id, lastSeq, LIMITS.CHAT_SYNC_MAX);
    return { peer, snapshot: this.#snapshot(others, missed) };
  }

  async remove(peerId: PeerId): Promise<void> {
    if (!this.#peers.delete(peerId)) return;
    clearTimeout(this.#seatTimers.get(peerId));
    this.#seatTimers.delete(peerId);
    this.media.removePeer(peerId);
    this.broadcast({ type: 'peer-left', peerId });
    if (this.#peers.size === 0) {
      this.media.close();
      this.options.onEmpty(this);
      return;
    }
    await this.media.reconcile();
  }

  peer(peerId: PeerId): Peer | undefined {
    return this.#peers.get(peerId);
  }

  peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** Forwards WebRTC signalling between two admitted peers; `from` is the socket's own peer. */
  relaySignal(from: PeerId, to: PeerId, data: Record<string, unknown>): void {
    const target = this.#peers.get(to);
    if (!target || to === from) {
      throw new ProtocolError(ERROR_CODES.PEER_NOT_FOUND, 'no such peer in this room');
    }
    target.send({ type: 'signal', from, data });
  }

  /** Stores and fans out a chat message; a resent client id is acked again, not re-sent. */
  async postChat(from: Peer, clientId: ClientMessageId, text: string): Promise<AppendResult> {
    const result = await this.options.chat.appendSoon(this.id, {
      clientId,
      from: from.id,
      name: from.name,
      text,
      ts: Date.now(),
    });
    if (!result.duplicate) this.broadcast({ type: 'chat', message: result.message }, undefined);
    return result;
  }

  chatSince(since: number): { messages: ChatMessage[]; more: boolean } {
    const rows = this.options.chat.after(this.id, since, LIMITS.CHAT_SYNC_MAX + 1);
    return {
      messages: rows.slice(0, LIMITS.CHAT_SYNC_MAX),
      more: rows.length > LIMITS.CHAT_SYNC_MAX,
    };
  }

  updateMedia(peer: Peer, media: MediaState): void {
    peer.media = { ...media };
    this.broadcast({ type: 'peer-updated', peer: peer.info() }, peer.id);
  }

  /** Applies a host's settings change and tells everyone but the host (who gets the reply). */
  updateSettings(change: Partial<RoomSettings>, host: PeerId): void {
    this.settings = { ...this.settings, ...change };
    this.broadcast({ type: 'settings', settings: { ...this.settings } }, host);
    if (this.settings.screenShare) return;
    // Shares already running stop: their producers close, and everyone sees the flag drop.
    for (const peer of this.#peers.values()) {
      if (!peer.media.screen || peer.role === 'host') continue;
      this.media.closeScreenProducers(peer.id);
      peer.media = { ...peer.media, screen: false };
      this.broadcast({ type: 'peer-updated', peer: peer.info() });
    }
  }

  #failed(error: unknown): void {
    this.options.log.error('room task failed', { room: this.id, error: String(error) });
  }

  status(viewers: number): RoomStatus {
    return { id: this.id, mode: this.mode, admitted: this.#peers.size, live: this.live, viewers };
  }

  /** Sends to every admitted peer except `except`. */
  broadcast(message: ServerMessage, except?: PeerId): void {
    for (const peer of this.#peers.values()) if (peer.id !== except) peer.send(message);
  }
}
