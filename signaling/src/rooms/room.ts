import { ERROR_CODES, LIMITS } from '@parley/protocol';
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
import { higherRole, LeftLately, sameBrowser } from './seats.ts';

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
  readonly #seatTimers = new Map<PeerId, NodeJS.Timeout>();
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
  /** Whether the waiting people were last told that someone who can let them in is here. */
  #moderatorTold = false;
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
  async enter(peer: Peer, seated = false): Promise<Entered> {
    if (peer.role === 'guest' && this.door.wasCohost(peer.identity)) peer.role = 'cohost';
    // One seat per person (issue 19): the same browser joining again (a reload, another tab)
    // takes over the seat it has here, role included, instead of sitting in the call twice.
    const earlier = seated ? undefined : sameBrowser(peer, this.#peers.values());
    if (earlier) {
      peer.role = higherRole(peer.role, earlier.role);
      await this.remove(earlier.id, 'replaced');
      const admitted = await this.admit(peer);
      this.log.info('joined again', { peerId: peer.id, replaced: earlier.id, role: peer.role });
      return { admitted };
    }
    // A team remembers its members: admins come back as co-hosts, members skip the waiting room.
    const member = await this.team?.standing(peer.identity);
    if (peer.role === 'guest' && member === 'admin') peer.role = 'cohost';
    if (peer.role !== 'host' && this.door.isBanned(peer.identity)) {
      throw new ProtocolError(ERROR_CODES.BANNED, 'a host removed you from this meeting');
    }
    // Left a moment ago from this browser (a reload sends `leave`): back in, role and all.
    const back = !seated && this.#leftLately.backSoon(peer);
    if (peer.role !== 'host') {
      if (this.#stored.locked && !seated && !back) {
        throw new ProtocolError(ERROR_CODES.ROOM_LOCKED, 'room is locked');
      }
    }
    // Someone who may be back after a removal waits for a host, waiting room on or off.
    const suspect =
      !seated && !back && peer.role === 'guest' && this.door.mayBeRemoved(peer.identity);
    const known = seated || back || member !== undefined;
    if (!suspect && (known || peer.role !== 'guest' || !this.#stored.waitingRoom)) {
      const admitted = await this.admit(peer);
      this.log.info('joined', { peerId: peer.id, role: peer.role, peers: this.size });
      return { admitted };
    }
    const position = this.lobby.add(peer, suspect);
    peer.onClose(this.#forget);
    this.log.info('waiting', { peerId: peer.id, position, ...(suspect ? { suspect } : {}) });
    this.#tellModerators();
    return { waiting: position, hostPresent: this.moderatorPresent };
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
    const chat = await this.options.chat.recent(this.id, LIMITS.CHAT_HISTORY_ON_JOIN);
    this.hostsChanged();
    const snapshot = this.#snapshot(peers, chat, peer);
    if (snapshot.sfu && joiner) snapshot.sfu = { ...snapshot.sfu, ...joiner };
    return snapshot;
  }

  #snapshot(peers: PeerInfo[], chat: ChatMessage[], to: Peer): AdmitResult {
    const sfu = this.media.state();
    const poll = this.polls?.joinView(to);
    const feedback = this.options.attendance?.ticket(to);
    return {
      peers,
      chat,
      mode: this.mode,
      ...(sfu ? { sfu } : {}),
      activeSpeaker: this.media.activeSpeaker,
      settings: this.settings,
      ...(this.title ? { title: this.title } : {}),
      live: this.live,
      ...(this.media.recording.since ? { recordingSince: this.media.recording.since } : {}),
      ...(this.team ? { team: this.team.state() } : {}),
      hands: this.classroom.raised(),
      ...(poll ? { poll } : {}),
      ...(this.board?.presenter ? { boardPresenter: this.board.presenter } : {}),
      ...(feedback ? { feedback } : {}),
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
    clearTimeout(this.#seatTimers.get(peerId));
    const timer = setTimeout(() => {
      this.#seatTimers.delete(peerId);
      const expire = async () => {
        if (!this.#peers.get(peerId)?.connected) await this.remove(peerId);
      };
      background(this.queue.run(expire), 'seat expiry', this.log);
    }, windowMs);
    timer.unref();
    this.#seatTimers.set(peerId, timer);
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
    const missed = await this.options.chat.after(this.id, lastSeq, LIMITS.CHAT_SYNC_MAX);
    clearTimeout(this.#seatTimers.get(peerId));
    this.#seatTimers.delete(peerId);
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
    clearTimeout(this.#seatTimers.get(peer.id));
    this.#seatTimers.delete(peer.id);
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

  /** Stores and fans out a chat message; a resent client id is acked again, not re-sent. */
  async postChat(from: Peer, clientId: ClientMessageId, text: string): Promise<AppendResult> {
    const result = await this.options.chat.append(this.id, {
      clientId,
      from: from.id,
      name: from.name,
      text,
      ts: Date.now(),
    });
    if (!result.duplicate) this.broadcast({ type: 'chat', message: result.message }, undefined);
    return result;
  }

  async chatSince(since: number): Promise<{ messages: ChatMessage[]; more: boolean }> {
    const rows = await this.options.chat.after(this.id, since, LIMITS.CHAT_SYNC_MAX + 1);
    return {
      messages: rows.slice(0, LIMITS.CHAT_SYNC_MAX),
      more: rows.length > LIMITS.CHAT_SYNC_MAX,
    };
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
  async stopWaiting(peerId: PeerId): Promise<void> {
    const peer = this.lobby.take(peerId);
    if (!peer) return;
    peer.close('left');
    this.log.info('stopped waiting', { peerId });
    await this.lobbyChanged();
  }

  /** What hosts and co-hosts see of the waiting room. */
  lobbyMessage(): ServerMessage {
    return { type: 'lobby', waiting: this.lobby.list() };
  }

  /** The queue moved: everyone waiting learns their place, moderators see the new queue. */
  async lobbyChanged(): Promise<void> {
    this.#tellWaiting();
    this.#tellModerators();
    if (this.empty) await this.#finish();
  }

  /** Everyone waiting learns their place, and whether anyone who can let them in is here. */
  #tellWaiting(): void {
    const hostPresent = this.moderatorPresent;
    this.#moderatorTold = hostPresent;
    this.lobby.peers().forEach((peer, i) => {
      peer.send({ type: 'waiting', roomId: this.id, position: i + 1, hostPresent });
    });
  }

  /** A host or co-host is in the meeting (a dropped one keeps its seat, so it counts). */
  get moderatorPresent(): boolean {
    return [...this.#peers.values()].some((p) => isModerator(p.role));
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
    if (this.moderatorPresent !== this.#moderatorTold) this.#tellWaiting();
    this.#hosts?.changed();
  }

  #tellModerators(): void {
    const message = this.lobbyMessage();
    for (const peer of this.#peers.values()) if (isModerator(peer.role)) peer.send(message);
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
