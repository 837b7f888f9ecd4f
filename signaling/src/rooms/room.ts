import { ERROR_CODES } from '@parley/protocol';
import type {
  BroadcastShowing,
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
  Uplink,
} from '@parley/protocol';
import type { AppendResult, StoredSettings } from '../store/index.ts';
import { ProtocolError } from '../util/errors.ts';
import type { Log } from '../telemetry/log.ts';
import { sameSecret } from '../util/ids.ts';
import type { Peer, PeerExit, PeerSink } from './peer.ts';
import { RoomMedia } from './roomMedia.ts';
import { HOST_GRACE_MS } from './roomTypes.ts';
import type { AdmitResult, Entered, RoomOptions } from './roomTypes.ts';
import { SerialQueue } from '../util/serialQueue.ts';
import { Lobby } from './lobby.ts';
import type { Door } from './door.ts';
import { isModerator } from './permissions.ts';
import { background } from '../util/background.ts';
import { Team } from '../walkie/team.ts';
import type { TeamHost } from '../walkie/team.ts';
import { Classroom } from '../classroom/classroom.ts';
import { Polls } from '../classroom/polls.ts';
import { Board } from '../classroom/board.ts';
import { giveRole } from './moderation.ts';
import { HostWatch } from './roomHosts.ts';
import type { HostWatchRoom } from './roomHosts.ts';
import { LeftLately } from './seats.ts';
import { KeptSeats } from './keptSeats.ts';
import { Admission } from './admission.ts';
import { RoomChat } from './roomChat.ts';
import { admitSnapshot } from './roomSnapshot.ts';

export type { AdmitResult, Entered, RoomOptions } from './roomTypes.ts';

/**
 * One meeting while anyone is in it: the admitted peers in join order, relay and chat fan-out.
 * Mutations (admit, remove, chat) must run through `queue` so they never interleave.
 * It owns its peers (admitted and waiting), their seat timers and its media: `close()` closes
 * them all, and each peer's close handler takes it out of the maps (mediasoup's close cascade).
 */
export class Room {
  readonly queue = new SerialQueue();
  readonly #peers = new Map<PeerId, Peer>();
  /** Seats of dropped sockets, kept for a resume (keptSeats.ts). */
  readonly #keptSeats = new KeptSeats();
  readonly media: RoomMedia;
  /** Set when the room is a walkie-talkie team: its channels and floors. */
  readonly team: Team | undefined;
  /** Raised hands and reactions. */
  readonly classroom: Classroom;
  /** The room's polls; undefined where the server has no poll store. */
  readonly polls: Polls | undefined;
  /** The room's whiteboard; undefined where the server has no board store. */
  readonly board: Board | undefined;
  /** The waiting room of this meeting; `door` holds who may (not) come back. */
  readonly lobby: Lobby;
  readonly door: Door;
  #stored: StoredSettings;
  #passwordHash: string | null;
  #closed = false;
  /** Who comes in, who waits, and what the waiting are told (admission.ts). */
  readonly #admission: Admission;
  /** The meeting's chat, stored then fanned out (roomChat.ts). */
  readonly #chat: RoomChat;
  /** Browsers that left lately, to let them back in soon (seats.ts). */
  readonly #leftLately: LeftLately;
  /** Makes a host when the meeting is left without one; none in a team (it has admins). */
  readonly #hosts: HostWatch | undefined;
  /** Every line carries this room's `roomId`. */
  readonly log: Log;

  constructor(
    readonly id: RoomId,
    private readonly options: RoomOptions,
  ) {
    this.log = options.log.child({ roomId: id });
    this.#stored = { ...options.settings };
    this.#passwordHash = options.passwordHash;
    this.door = options.door;
    this.#leftLately = new LeftLately(options.rejoinWindowMs);
    this.lobby = new Lobby(options.waiting);
    this.#admission = new Admission(this, {
      leftLately: this.#leftLately,
      forget: this.#forget,
      finish: () => this.#finish(),
    });
    this.#chat = new RoomChat(id, options.chat, (m) => this.broadcast(m));
    this.media = new RoomMedia(
      {
        id,
        size: () => this.size,
        hostIds: () => [...this.#peers.values()].filter((p) => p.role === 'host').map((p) => p.id),
        nameOf: (peerId) => this.#peers.get(peerId)?.name ?? '',
        broadcast: (m, except) => this.broadcast(m, except),
        sendTo: (peerId, m) => this.#peers.get(peerId)?.send(m),
        enqueue: (task) => background(this.queue.run(task), 'room task', this.log),
      },
      { ...options.media, log: this.log, ...(options.team ? { team: true } : {}) },
    );
    this.media.reopenedWith(this.door.seats);
    this.team = options.team && this.#openTeam(options.team);
    this.#hosts = this.team ? undefined : this.#watchHosts();
    const classHost = {
      peers: () => this.#peers.values(),
      broadcast: (m: ServerMessage, except?: PeerId) => this.broadcast(m, except),
    };
    this.classroom = new Classroom(classHost, this.door.hands);
    this.polls = options.polls && new Polls(id, () => this.#peers.values(), options.polls);
    this.board =
      options.boards && new Board(id, { ...classHost, ...this.#sender() }, options.boards);
  }

  #sender() {
    return {
      sendTo: (peerId: PeerId, m: ServerMessage) => this.#peers.get(peerId)?.send(m),
      log: this.log,
    };
  }

  #openTeam({ record, channels, store }: NonNullable<RoomOptions['team']>): Team {
    const host: TeamHost = {
      id: this.id,
      log: this.log,
      sfuRoom: () => this.media.sfuRoom,
      isAdmin: (peerId) => {
        const peer = this.#peers.get(peerId);
        return peer !== undefined && isModerator(peer.role);
      },
      broadcast: (m) => this.broadcast(m),
      sendTo: (peerId, m) => this.#peers.get(peerId)?.send(m),
      enqueue: (task) => background(this.queue.run(task), 'team task', this.log),
    };
    return new Team(host, store, record, channels);
  }

  #watchHosts(): HostWatch {
    const room: HostWatchRoom = {
      peers: () => [...this.#peers.values()],
      closed: () => this.#closed,
      promote: (peer) => giveRole(this, peer, 'host'),
      changed: () => this.hostsChanged(),
      run: (task) => this.queue.run(task),
      log: this.log,
    };
    return new HostWatch(room, this.options.hostGraceMs ?? HOST_GRACE_MS);
  }

  /** Closed rooms stay closed: a join that raced with the close opens a new Room. */
  get closed(): boolean {
    return this.#closed;
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

  /** Nobody in the meeting and nobody waiting: the meeting is over. */
  get empty(): boolean {
    return this.#peers.size === 0 && this.lobby.size === 0;
  }

  get settings(): RoomSettings {
    return { ...this.#stored, hasPassword: this.#passwordHash !== null };
  }

  /**
   * The way in for a joiner who passed the password (run in the queue): the meeting, or the
   * waiting room (its place in line). Hosts are never held, banned or locked out; co-hosts
   * (remembered from earlier in the meeting) skip the waiting room. A `seated` peer took back
   * its seat of this meeting (door.ts): neither held nor locked out, but still banned.
   */
  enter(peer: Peer, seated = false): Promise<Entered> {
    return this.#admission.enter(peer, seated);
  }

  has(peerId: PeerId): boolean {
    return this.#peers.has(peerId);
  }

  /**
   * Admits a peer, switching the room to the SFU first when it outgrows the mesh. Its seat is
   * stored first, so it can take it back on another node if the room moves.
   */
  async admit(peer: Peer): Promise<AdmitResult> {
    if (this.#peers.size >= this.options.maxPeers) {
      throw new ProtocolError(ERROR_CODES.ROOM_FULL, `room is full (${this.options.maxPeers})`);
    }
    await this.door.seat(peer);
    await this.options.attendance?.arrived(peer);
    const peers = [...this.#peers.values()].map((p) => p.info());
    this.broadcast({ type: 'peer-joined', peer: peer.info() });
    this.#peers.set(peer.id, peer);
    peer.onClose(this.#forget);
    try {
      await this.media.reconcile(peer.id);
    } catch (error) {
      // The room could not grow its SFU: it stays a mesh rather than losing the joiner.
      this.log.error('mode switch failed', { peerId: peer.id, error: String(error) });
    }
    const joiner = await this.media.openForJoiner(peer.id, peer.receive);
    await this.team?.remember(peer);
    this.classroom.arrived(peer);
    const chat = await this.#chat.recent();
    this.hostsChanged();
    const snapshot = this.#snapshot(peers, chat, peer);
    if (snapshot.sfu && joiner) snapshot.sfu = { ...snapshot.sfu, ...joiner };
    return snapshot;
  }

  #snapshot(peers: PeerInfo[], chat: ChatMessage[], to: Peer): AdmitResult {
    return admitSnapshot(this, this.options.attendance, peers, chat, to);
  }

  /**
   * The peer's socket dropped without a `leave`: keep its seat for `windowMs` so it can
   * resume unseen; after that it leaves like any other peer.
   */
  suspend(peerId: PeerId, windowMs: number): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    peer.detach();
    this.options.attendance?.dropped(peerId);
    this.log.info('disconnected, seat kept', { peerId, windowMs });
    // A talker whose socket dropped stops talking now, not when its seat expires.
    const team = this.team;
    if (team)
      background(
        this.queue.run(() => team.drop(peerId)),
        'floor drop',
        this.log,
      );
    this.#keptSeats.keep(peerId, windowMs, () => {
      const expire = async () => {
        if (!this.#peers.get(peerId)?.connected) await this.remove(peerId);
      };
      background(this.queue.run(expire), 'seat expiry', this.log);
    });
  }

  /** Rebinds a suspended (or half-open) seat to a new socket; undefined if there is none. */
  async resume(
    peerId: PeerId,
    token: string,
    sink: PeerSink,
    lastSeq: number,
  ): Promise<{ peer: Peer; snapshot: AdmitResult } | undefined> {
    const peer = this.#peers.get(peerId);
    if (!peer || !sameSecret(peer.resumeToken, token)) return undefined;
    // Read first: if the store is away the seat stays suspended and the client may retry.
    const missed = await this.#chat.missed(lastSeq);
    this.#keptSeats.release(peerId);
    peer.attach(sink);
    this.options.attendance?.resumed(peerId);
    const others = [...this.#peers.values()].filter((p) => p.id !== peerId).map((p) => p.info());
    this.log.info('resumed', { peerId });
    return { peer, snapshot: this.#snapshot(others, missed, peer) };
  }

  /**
   * Takes an admitted peer out (it left, its seat expired, or a host removed it: `by`), and
   * ends the meeting when nobody is left in it or waiting.
   */
  async remove(peerId: PeerId, exit: PeerExit = 'left', by?: PeerId): Promise<void> {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    background(this.door.unseat(peerId), 'seat release', this.log);
    this.options.attendance?.left(peerId);
    peer.close(exit);
    await this.team?.drop(peerId);
    this.media.removePeer(peerId);
    this.broadcast({ type: 'peer-left', peerId });
    this.classroom.left(peer);
    this.board?.left(peer.id);
    this.log.info('left', { peerId, reason: exit, ...(by ? { by } : {}), peers: this.size });
    // Its successor is admitted next, in the same task: the meeting goes on.
    if (exit === 'replaced') return;
    if (exit === 'left') this.#leftLately.noteLeft(peer);
    this.hostsChanged();
    if (this.#peers.size > 0) return this.media.reconcile();
    // People still waiting keep the meeting (and its bans) alive; its media is not needed.
    if (this.lobby.size > 0) return this.media.release();
    await this.#finish();
  }

  /** A peer's close handler: out of every map of this room, its seat timer stopped. */
  readonly #forget = (peer: Peer): void => {
    if (this.#peers.get(peer.id) === peer) this.#peers.delete(peer.id);
    if (this.lobby.get(peer.id) === peer) this.lobby.take(peer.id);
    this.#keptSeats.release(peer.id);
  };

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

  postChat(from: Peer, clientId: ClientMessageId, text: string): Promise<AppendResult> {
    return this.#chat.post(from, clientId, text);
  }

  chatSince(since: number): Promise<{ messages: ChatMessage[]; more: boolean }> {
    return this.#chat.since(since);
  }

  updateMedia(peer: Peer, media: MediaState): void {
    peer.media = { ...media };
    this.broadcast({ type: 'peer-updated', peer: peer.info() }, peer.id);
  }

  /** A peer's report of its uplink; the others hear of a change only (good is kept as none). */
  updateUplink(peer: Peer, uplink: Uplink): void {
    const next = uplink.quality === 'good' && !uplink.videoPaused ? undefined : { ...uplink };
    if (JSON.stringify(next) === JSON.stringify(peer.uplink)) return;
    peer.uplink = next;
    this.broadcast({ type: 'peer-updated', peer: peer.info() }, peer.id);
  }

  /**
   * Stores and then applies a moderator's settings change (`passwordHash`: undefined keeps
   * the password, null removes it) and tells everyone but `by` (who gets the reply; null: a
   * change from outside the meeting, told to all). Nothing changes when the store refuses it.
   */
  async updateSettings(
    change: Partial<StoredSettings>,
    passwordHash: string | null | undefined,
    by: PeerId | null,
  ): Promise<void> {
    const stored = { ...this.#stored, ...change };
    const hash = passwordHash === undefined ? this.#passwordHash : passwordHash;
    await this.options.save(stored, hash);
    this.#stored = stored;
    this.#passwordHash = hash;
    this.broadcast({ type: 'settings', settings: this.settings }, by ?? undefined);
    if (!this.#stored.screenShare) this.#stopGuestShares();
  }

  /** Shares already running stop: their producers close, and everyone sees the flag drop. */
  #stopGuestShares(): void {
    for (const peer of this.#peers.values()) {
      if (!peer.media.screen || isModerator(peer.role)) continue;
      this.media.closeScreenProducers(peer.id);
      peer.media = { ...peer.media, screen: false };
      this.broadcast({ type: 'peer-updated', peer: peer.info() });
    }
  }

  // ---------- the waiting room ----------

  /** A waiting peer left (or its socket closed). */
  stopWaiting(peerId: PeerId): Promise<void> {
    return this.#admission.stopWaiting(peerId);
  }

  /** What hosts and co-hosts see of the waiting room. */
  lobbyMessage(): ServerMessage {
    return this.#admission.lobbyMessage();
  }

  /** The queue moved: everyone waiting learns their place, moderators see the new queue. */
  lobbyChanged(): Promise<void> {
    return this.#admission.lobbyChanged();
  }

  /** A host or co-host is in the meeting (a dropped one keeps its seat, so it counts). */
  get moderatorPresent(): boolean {
    return this.#admission.moderatorPresent;
  }

  // ---------- who runs the meeting ----------

  /**
   * Who runs the meeting may have changed (someone admitted or gone, a role given): the people
   * waiting learn whether anyone can let them in, and a meeting left with people but no host
   * (its host left without handing the role over) gets one after `hostGraceMs`, unless a host
   * comes back first (the host watch, roomHosts.ts). Not in a team: its admins are remembered
   * by the team.
   */
  hostsChanged(): void {
    this.#admission.hostsChanged();
    this.#hosts?.changed();
  }

  // ---------- the end ----------

  /** A host ends the meeting for everyone, the waiting room included. */
  async end(by: PeerId): Promise<void> {
    this.log.info('meeting ended', { by });
    await this.#finish();
  }

  /**
   * The meeting is over (ended, or everyone left): its bans, co-hosts and seats go, then the
   * room closes. A plain `close()` keeps them: a room released unused, or `moved`, is not an
   * end. The store is cleared before the close, so a join queued behind it opens a clean room.
   */
  async #finish(): Promise<void> {
    this.options.attendance?.ended();
    await this.door.clear().catch((error: unknown) => {
      this.log.error('door state not cleared', { error: String(error) });
    });
    this.close();
  }

  /**
   * Closes the meeting. Idempotent. Everyone in it or waiting gets `removed` (ended) and a
   * socket closed with ROOM_CLOSED; seat timers stop; media and broadcast are released; then
   * `onClose` fires, once. The Rooms registry drops the room there. `moved` (cluster mode:
   * the room goes on on another node) closes the sockets with MOVED instead, without `removed`.
   */
  close(exit: 'ended' | 'moved' = 'ended'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hosts?.close();
    // Not an end (ended() ran first for one): the stays here stop, the meeting may go on.
    this.options.attendance?.closed();
    // Copies: each peer's close handler takes it out of the map being walked.
    for (const peer of [...this.lobby.peers(), ...this.#peers.values()]) peer.close(exit);
    this.team?.close();
    this.classroom.close();
    this.board?.close();
    this.media.close();
    this.log.info(exit === 'moved' ? 'room moved away' : 'room closed');
    this.options.onClose(this);
  }

  get waiting(): number {
    return this.lobby.size;
  }

  /** The broadcast's picture, named for its viewers (`GET /api/broadcasts/:id`). */
  broadcastShowing(): BroadcastShowing | null {
    const showing = this.media.broadcast.showing();
    const name = showing && this.#peers.get(showing.peerId as PeerId)?.name;
    return showing && name ? { source: showing.source, name } : null;
  }

  get title(): string | null {
    return this.options.title ?? null;
  }

  status(viewers: number): RoomStatus {
    const { id, mode, live } = this;
    const recording = this.media.recording.since !== undefined;
    const { title } = this;
    return { id, mode, admitted: this.#peers.size, live, recording, viewers, title };
  }

  /** Sends to every admitted peer except `except`. */
  broadcast(message: ServerMessage, except?: PeerId): void {
    for (const peer of this.#peers.values()) if (peer.id !== except) peer.send(message);
  }
}
