import { CLOSE_CODES, ERROR_CODES, PROTOCOL_VERSION, parseClientMessage } from '@parley/protocol';
import type { ClientMessage, ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError, refusalOf } from '../util/errors.ts';
import { handleHostMessage, watchLinkFor } from './hostHandlers.ts';
import type { HostMessage } from './hostHandlers.ts';
import { isModerator, refusal, refusalText } from '../rooms/permissions.ts';
import type { Standing } from '../rooms/permissions.ts';
import { newPeerId, newResumeToken } from '../util/ids.ts';
import { background } from '../util/background.ts';
import type { Log } from '../telemetry/log.ts';
import { Peer } from '../rooms/peer.ts';
import type { PeerSink } from '../rooms/peer.ts';
import { FloodGuard, peekRid } from './rateLimiter.ts';
import type { AdmitResult, Room } from '../rooms/room.ts';
import type { Attempt } from '../rooms/rooms.ts';
import { reseat } from '../rooms/door.ts';
import { handleSfuMessage } from './sfuHandlers.ts';
import { handleWalkieMessage } from './walkieHandlers.ts';
import type { WalkieMessage } from './walkieHandlers.ts';
import { handleClassMessage } from './classHandlers.ts';
import type { ClassMessage } from './classHandlers.ts';
import { handlePollMessage } from './pollHandlers.ts';
import type { PollMessage } from './pollHandlers.ts';
import { handleBoardMessage } from './boardHandlers.ts';
import type { BoardMessage } from './boardHandlers.ts';
import type { SfuMessage } from './sfuHandlers.ts';
import { SerialQueue } from '../util/serialQueue.ts';
import { BackpressureWatch } from './backpressure.ts';
import { handleMemberMessage } from './memberHandlers.ts';
import { SocketWarmup } from './warmup.ts';
import { SocketNetCheck } from './netCheck.ts';
import type { MemberMessage } from './memberHandlers.ts';
import { rid } from './types.ts';
import type { ConnectionDeps, ServerMessageOf, Socket } from './types.ts';

export type { ConnectionDeps, Socket } from './types.ts';

/** The room this socket is in, and whether it is in the meeting or still waiting. */
type Member = { room: Room; peer: Peer; admitted: boolean };
type Joined = { room: Room; peer: Peer };

/** A message whose handling takes this long is logged: the socket's next ones waited for it. */
const SLOW_MESSAGE_MS = 2_000;

/**
 * Where a socket came from: the client's address (wrong room passwords are limited per
 * address) and what the server knows of it without asking the client: the guest identity of
 * its cookie (auth/guestIdentity.ts) and a keyed hash of the address.
 */
export interface Arrival {
  remote: string;
  guestId?: string;
  guestSince?: number;
  network?: string;
}

/**
 * One client WebSocket: validates every frame against the protocol, checks it against the
 * permission table, enforces the rate limit and the join timeout, and routes each message
 * to one method.
 */
export class Connection implements PeerSink {
  #greeted = false;
  #member: Member | undefined;
  #closed = false;
  #joinTimer: NodeJS.Timeout | undefined;
  readonly #flood: FloodGuard;
  readonly #buffer: BackpressureWatch;
  readonly #inbox = new SerialQueue();
  readonly #warm: SocketWarmup;
  readonly #netCheck: SocketNetCheck;

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
    private readonly arrival: Arrival = { remote: 'unknown' },
  ) {
    this.#flood = new FloodGuard(deps.config.rateLimit.perSec, deps.config.rateLimit.burst);
    this.#buffer = new BackpressureWatch(
      deps.config.wsBuffer.maxBytes,
      deps.config.wsBuffer.graceMs,
    );
    this.#warm = new SocketWarmup(deps.rooms, deps.log, deps.config.iceRelayOnly);
    this.#netCheck = new SocketNetCheck(deps.iceServersFor);
    deps.log.info('connected', { remote: arrival.remote });
    this.#armJoinTimer();
  }

  /** Entry point for every frame. Never throws: failures become `error` messages. */
  receive(data: Buffer | string, isBinary: boolean): void {
    if (this.#closed) return;
    this.deps.metrics.messages.inc({ direction: 'in' });
    const rate = this.#flood.take();
    if (rate === 'close')
      return this.#close(CLOSE_CODES.RATE_LIMIT_ABUSE, 'message rate limit exceeded');
    if (rate === 'drop') {
      const text = 'too many messages; this one was dropped';
      return this.#error(ERROR_CODES.RATE_LIMITED, text, peekRid(data));
    }
    if (isBinary) return this.#error(ERROR_CODES.BAD_MESSAGE, 'binary frames are not supported');
    const parsed = parseClientMessage(typeof data === 'string' ? data : data.toString('utf8'));
    if (!parsed.ok) {
      return this.#error(parsed.code, parsed.error, parsed.rid, parsed.ref);
    }
    const message = parsed.message;
    // Messages of one socket are handled strictly in arrival order, even across async steps.
    this.#inOrder(() => this.#handle(message), 'message');
  }

  /**
   * The socket closed (either side). Without a `leave` the seat is kept for the resume window,
   * so a client whose network blinked comes back unseen. Idempotent.
   */
  closed(code?: number, reason?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info('disconnected', { code, reason });
    clearTimeout(this.#joinTimer);
    this.#inOrder(() => {
      this.#warm.release();
      return this.#dropSeat();
    }, 'seat drop');
  }

  /** Runs `task` after this socket's earlier messages; nobody awaits it, failures are logged. */
  #inOrder(task: () => unknown, what: string): void {
    background(
      this.#inbox.run(async () => task()),
      what,
      this.#log,
    );
  }

  /** PeerSink: another socket resumed our seat; this one is stale. */
  replaced(): void {
    this.#member = undefined;
    this.#close(CLOSE_CODES.REPLACED, 'resumed on another connection');
  }

  /** PeerSink: a host let us in from the waiting room. */
  admitted(snapshot: AdmitResult): void {
    if (!this.#member) return;
    this.#member.admitted = true;
    this.deps.metrics.joins.inc();
    this.#sendJoined(this.#member, snapshot);
  }

  /** PeerSink: denied or removed (the client got `removed`); it may join again. */
  ejected(): void {
    this.#member = undefined;
    this.#armJoinTimer();
  }

  /** PeerSink: the meeting ended. Closed after the reply in progress (the host's `ok` to `end`). */
  roomClosed(): void {
    this.#member = undefined;
    // Ordered after the reply in progress; nothing waits for it.
    this.#inOrder(() => this.#close(CLOSE_CODES.ROOM_CLOSED, 'the meeting ended'), 'close');
  }

  /** PeerSink: the room moved to another node; the client reconnects and joins it there. */
  roomMoved(): void {
    this.#member = undefined;
    this.#close(CLOSE_CODES.MOVED, 'the room moved to another node: reconnect');
  }

  send(message: ServerMessage): void {
    if (this.#closed) return;
    this.socket.send(JSON.stringify(message));
    this.deps.metrics.messages.inc({ direction: 'out' });
    this.checkBuffer();
  }

  /** Closes a socket whose client has stopped reading (after each send, and on each heartbeat). */
  checkBuffer(): void {
    if (this.#closed || !this.#buffer.tooSlow(this.socket.bufferedAmount)) return;
    this.#log.warn('client reads too slowly', { bufferedBytes: this.socket.bufferedAmount });
    this.#close(CLOSE_CODES.BACKPRESSURE, 'client reads too slowly');
  }

  /** This socket's log: with the room's `roomId` and our `peerId` once we are in a room. */
  get #log(): Log {
    const member = this.#member;
    return member ? member.room.log.child({ peerId: member.peer.id }) : this.deps.log;
  }

  async #handle(message: ClientMessage): Promise<void> {
    if (this.#closed) return;
    const started = performance.now();
    try {
      await this.#dispatch(message);
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) {
        this.#error(refusal.code, refusal.message, message.rid, message.type);
      } else {
        this.#log.error('handler failed', { type: message.type, error: String(error) });
        this.#error(ERROR_CODES.INTERNAL, 'internal error', message.rid, message.type);
      }
    } finally {
      // Every later message of this socket waited for this one: a slow one is worth a line.
      const ms = Math.round(performance.now() - started);
      if (ms >= SLOW_MESSAGE_MS) this.#log.warn('slow message', { type: message.type, ms });
    }
  }

  #standing(): Standing {
    if (!this.#greeted) return 'new';
    if (!this.#member) return 'outside';
    return this.#member.admitted ? 'admitted' : 'waiting';
  }

  /** The one switch: the permission table first, then routing only; logic lives in methods. */
  #dispatch(message: ClientMessage): void | Promise<void> {
    const refused = refusal(message.type, this.#standing(), this.#member?.peer.role ?? null);
    if (refused) throw new ProtocolError(refused, refusalText(refused, message.type));
    switch (message.type) {
      case 'hello':
        return this.#hello(message);
      case 'join':
        return this.#join(message);
      case 'resume':
        return this.#resume(message);
      case 'leave':
        return this.#leave(message);
      case 'ice-refresh':
      case 'signal':
      case 'chat':
      case 'chat-sync':
      case 'media':
      case 'uplink':
        return this.#memberMessage(message);
      case 'settings':
      case 'broadcast':
      case 'record':
      case 'admit':
      case 'admit-all':
      case 'deny':
      case 'mute':
      case 'allow-unmute':
      case 'remove':
      case 'set-role':
      case 'end':
        return this.#host(message);
      case 'sfu-warm':
        return this.#sendReply(message, this.#warm.open(message));
      case 'sfu-warm-connect':
        return this.#sendReply(message, this.#warm.connect(message));
      case 'net-check':
        return this.send({ ...this.#netCheck.servers(), ...rid(message) });
      case 'sfu-transport':
      case 'sfu-connect':
      case 'sfu-produce':
      case 'sfu-close-producer':
      case 'sfu-consume':
      case 'sfu-consumer-pause':
      case 'sfu-layers':
      case 'sfu-restart-ice':
        return this.#sfu(message);
      case 'channel-listen':
      case 'channel-unlisten':
      case 'floor-request':
      case 'floor-release':
      case 'floor-revoke':
      case 'channel-add':
      case 'channel-rename':
      case 'channel-remove':
        return this.#walkie(message);
      case 'hand':
      case 'hand-lower':
      case 'react':
        return this.#classroom(message);
      case 'poll-launch':
      case 'poll-vote':
      case 'poll-end':
      case 'poll-share':
        return this.#poll(message);
      case 'board-sync':
      case 'board-present':
      case 'board-ticket':
        return this.#board(message);
      case 'ping':
        return this.send({ type: 'pong', ...rid(message) });
      default:
        return assertNever(message);
    }
  }

  #hello(message: ClientMessageOf<'hello'>): void {
    if (message.version !== PROTOCOL_VERSION) {
      this.#close(CLOSE_CODES.UNSUPPORTED_VERSION, `server speaks protocol ${PROTOCOL_VERSION}`);
      return;
    }
    this.#greeted = true;
    const { heartbeatMs, resumeWindowMs } = this.deps.config;
    const version = PROTOCOL_VERSION;
    this.send({ type: 'welcome', ...rid(message), version, heartbeatMs, resumeWindowMs });
  }

  async #join(message: ClientMessageOf<'join'>): Promise<void> {
    const { rooms } = this.deps;
    const user = message.accessToken === undefined ? undefined : await this.#user(message);
    const { roomId, seat, media } = message;
    const receive = this.#warm.receiveFor(roomId, message.receive);
    const { guestId, guestSince, network } = this.arrival;
    // Bans key on what the server issued (guest id, account); the client's deviceId is extra.
    const identity = { guestId, guestSince, network, deviceId: message.deviceId, userId: user?.id };
    if (seat) {
      // Its resume failed (the room moved to another node): back in as the same peer, if the
      // seat is this meeting's. Otherwise the normal way in.
      const back = (room: Room) => reseat(room, seat, { identity, media, sink: this, receive });
      if (await this.#enterRoom(message, back)) return;
    }
    const host =
      (await rooms.isHostKey(roomId, message.hostKey)) || (await rooms.isOwner(roomId, user?.id));
    // Hosts need no password: their key (or account) is a stronger proof than the password.
    const remote = this.arrival.remote;
    await rooms.door(roomId, host ? { host } : { password: message.password }, remote);
    const role = host ? 'host' : 'guest';
    const token = newResumeToken();
    const peer = new Peer(newPeerId(), message.name, role, media, this, token, identity, receive);
    await this.#enterRoom(message, async (room) => ({ peer, entered: await room.enter(peer) }));
  }

  async #user(message: ClientMessageOf<'join'>) {
    const user = await this.deps.auth.verify(message.accessToken ?? '');
    if (!user) throw new ProtocolError(ERROR_CODES.UNAUTHORIZED, 'sign in again: token invalid');
    return user;
  }

  /** Into the room by `attempt`, and the reply; false when nobody got in (see `Rooms.enter`). */
  async #enterRoom(message: ClientMessageOf<'join'>, attempt: Attempt): Promise<boolean> {
    const entry = await this.deps.rooms.enter(message.roomId, attempt, () => this.#closed);
    if (!entry) return false;
    clearTimeout(this.#joinTimer);
    const { room, peer, entered } = entry;
    const member = { room, peer, admitted: 'admitted' in entered };
    this.#member = member;
    if ('waiting' in entered) {
      const { waiting: position, hostPresent } = entered;
      const reply = { ...rid(message), roomId: room.id, position, hostPresent };
      this.send({ type: 'waiting', ...reply });
      return true;
    }
    this.deps.metrics.joins.inc();
    this.#sendJoined(member, entered.admitted, message);
    if (isModerator(peer.role)) this.send(room.lobbyMessage());
    return true;
  }

  /** `joined`: the reply to `join` (with its rid), or pushed on admission from the waiting room. */
  #sendJoined(
    member: Member,
    snapshot: AdmitResult & { resumed?: boolean },
    request?: { rid?: number },
  ): void {
    const { room, peer } = member;
    // In the meeting: a warm transport the join did not take has no use any more.
    this.#warm.release();
    this.send({
      type: 'joined',
      ...rid(request ?? {}),
      roomId: room.id,
      peerId: peer.id,
      role: peer.role,
      resumeToken: peer.resumeToken,
      ...snapshot,
      iceServers: this.deps.iceServersFor(peer.id),
      ...this.#icePolicy(),
      ...(isModerator(peer.role) ? watchLinkFor(room, this.deps.watchLink) : {}),
    });
  }

  async #resume(message: ClientMessageOf<'resume'>): Promise<void> {
    const room = await this.deps.rooms.open(message.roomId);
    const failed = new ProtocolError(ERROR_CODES.RESUME_FAILED, 'no seat to resume: join again');
    if (!room) throw failed;
    const { peerId, resumeToken, lastSeq } = message;
    const resumed = await room.queue.run(() =>
      room.closed || this.#closed ? undefined : room.resume(peerId, resumeToken, this, lastSeq),
    );
    if (!resumed) {
      this.deps.rooms.releaseIfEmpty(room);
      this.deps.metrics.resumes.inc({ result: 'failed' });
      throw failed;
    }
    this.deps.metrics.resumes.inc({ result: 'ok' });
    const { peer, snapshot } = resumed;
    const member = { room, peer, admitted: true };
    this.#member = member;
    clearTimeout(this.#joinTimer);
    this.#sendJoined(member, { ...snapshot, resumed: true }, message);
    if (isModerator(peer.role)) this.send(room.lobbyMessage());
    peer.flushHeld();
  }

  #icePolicy(): { iceTransportPolicy: 'all' | 'relay' } {
    return { iceTransportPolicy: this.deps.config.iceRelayOnly ? 'relay' : 'all' };
  }

  async #leave(message: ClientMessageOf<'leave'>): Promise<void> {
    await this.#leaveRoom();
    this.send({ type: 'left', ...rid(message) });
    this.#armJoinTimer();
  }

  async #dropSeat(): Promise<void> {
    const member = this.#member;
    const windowMs = this.deps.config.resumeWindowMs;
    if (!member?.admitted || windowMs === 0) return this.#leaveRoom();
    await member.room.queue.run(() => member.room.suspend(member.peer.id, windowMs));
  }

  /** Out of the meeting, or out of the waiting room (a dropped waiter loses its place). */
  async #leaveRoom(): Promise<void> {
    const member = this.#member;
    if (!member) return;
    this.#member = undefined;
    const { room, peer } = member;
    await room.queue.run(() =>
      member.admitted ? room.remove(peer.id) : room.stopWaiting(peer.id),
    );
    this.deps.rooms.releaseIfEmpty(room);
  }

  async #sendReply(request: { rid?: number }, reply: Promise<ServerMessage>): Promise<void> {
    this.send({ ...(await reply), ...rid(request) });
  }

  async #memberMessage(message: MemberMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleMemberMessage(room, peer, message, this.deps.iceServersFor);
    if (reply) this.send({ ...reply, ...rid(message) });
  }

  /** Settings, broadcast and host controls: the permission table already checked the role. */
  async #host(message: HostMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleHostMessage(room, peer, message, this.deps.watchLink);
    this.send({ ...reply, ...rid(message) });
  }

  async #sfu(message: SfuMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleSfuMessage(room, peer, message);
    this.send({ ...reply, ...rid(message) });
  }

  async #walkie(message: WalkieMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleWalkieMessage(room, peer, message);
    this.send({ ...reply, ...rid(message) });
  }

  async #classroom(message: ClassMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleClassMessage(room, peer, message);
    this.send({ ...reply, ...rid(message) });
  }

  async #poll(message: PollMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handlePollMessage(room, peer, message);
    this.send({ ...reply, ...rid(message) });
  }

  async #board(message: BoardMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleBoardMessage(room, peer, message, this.deps.boardTickets);
    this.send({ ...reply, ...rid(message) });
  }

  /** The meeting this socket is in; the permission table has already refused anyone else. */
  #requireJoined(): Joined {
    if (!this.#member?.admitted) throw new ProtocolError(ERROR_CODES.NOT_JOINED, 'join first');
    return this.#member;
  }

  #error(
    code: ServerMessageOf<'error'>['code'],
    text: string,
    requestId?: number,
    ref?: string,
  ): void {
    this.deps.metrics.errors.inc({ code });
    // Dropped frames of a flood are counted, not logged one by one: a flooder would fill the log.
    if (code !== ERROR_CODES.RATE_LIMITED) this.#log.info('protocol error', { code, ref });
    this.send({
      type: 'error',
      code,
      message: text,
      ...(requestId === undefined ? {} : { rid: requestId }),
      ...(ref === undefined ? {} : { ref }),
    });
  }

  #armJoinTimer(): void {
    clearTimeout(this.#joinTimer);
    this.#joinTimer = setTimeout(() => {
      if (!this.#member) this.#close(CLOSE_CODES.JOIN_TIMEOUT, 'no join in time');
    }, this.deps.config.joinTimeoutMs);
    this.#joinTimer.unref();
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.socket.close(code, reason);
    this.closed(code, reason);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
