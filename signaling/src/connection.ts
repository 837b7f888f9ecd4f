import { CLOSE_CODES, ERROR_CODES, PROTOCOL_VERSION, parseClientMessage } from '@parley/protocol';
import type { ClientMessage, ClientMessageOf, Role, ServerMessage } from '@parley/protocol';
import type { Config } from './config.ts';
import { ProtocolError, roomNotFound } from './errors.ts';
import { newPeerId, newResumeToken } from './ids.ts';
import type { Log } from './log.ts';
import type { Metrics } from './metrics.ts';
import { Peer } from './peer.ts';
import type { PeerSink } from './peer.ts';
import { TokenBucket } from './rateLimiter.ts';
import type { AdmitResult, Room } from './room.ts';
import { handleSfuMessage } from './sfuHandlers.ts';
import type { SfuMessage } from './sfuHandlers.ts';
import type { Rooms } from './rooms.ts';
import { SerialQueue } from './serialQueue.ts';

/** What a connection needs from the socket under it (a `ws` WebSocket in production). */
export interface Socket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export interface ConnectionDeps {
  config: Config;
  rooms: Rooms;
  log: Log;
  metrics: Metrics;
  iceServersFor: (peerId: string) => ServerMessageOf<'joined'>['iceServers'];
}

type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
type Joined = { room: Room; peer: Peer };

/** Beyond this many dropped messages in a row the client is not a browser having a burst. */
const RATE_ABUSE_DROPS = 500;

/**
 * One client WebSocket: validates every frame against the protocol, enforces the handshake,
 * the rate limit and the join timeout, and routes each message to one method.
 */
export class Connection implements PeerSink {
  #greeted = false;
  #joined: Joined | undefined;
  #closed = false;
  #drops = 0;
  #joinTimer: NodeJS.Timeout | undefined;
  readonly #bucket: TokenBucket;
  readonly #inbox = new SerialQueue();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.#bucket = new TokenBucket(deps.config.rateLimit.perSec, deps.config.rateLimit.burst);
    this.#armJoinTimer();
  }

  /** Entry point for every frame. Never throws: failures become `error` messages. */
  receive(data: Buffer | string, isBinary: boolean): void {
    if (this.#closed) return;
    this.deps.metrics.messages.inc({ direction: 'in' });
    if (!this.#bucket.take()) return this.#rateLimited();
    this.#drops = 0;
    if (isBinary) return this.#error(ERROR_CODES.BAD_MESSAGE, 'binary frames are not supported');
    const parsed = parseClientMessage(typeof data === 'string' ? data : data.toString('utf8'));
    if (!parsed.ok) {
      return this.#error(parsed.code, parsed.error, parsed.rid, parsed.ref);
    }
    const message = parsed.message;
    // Messages of one socket are handled strictly in arrival order, even across async steps.
    void this.#inbox.run(() => this.#handle(message));
  }

  /**
   * The socket closed (either side). Without a `leave` the seat is kept for the resume window,
   * so a client whose network blinked comes back unseen. Idempotent.
   */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#joinTimer);
    void this.#inbox.run(() => this.#dropSeat());
  }

  /** PeerSink: another socket resumed our seat; this one is stale. */
  replaced(): void {
    this.#joined = undefined;
    this.#close(CLOSE_CODES.REPLACED, 'resumed on another connection');
  }

  send(message: ServerMessage): void {
    if (this.#closed) return;
    this.socket.send(JSON.stringify(message));
    this.deps.metrics.messages.inc({ direction: 'out' });
  }

  async #handle(message: ClientMessage): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#dispatch(message);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#error(error.code, error.message, message.rid, message.type);
      } else {
        this.deps.log.error('handler failed', { type: message.type, error: String(error) });
        this.#error(ERROR_CODES.INTERNAL, 'internal error', message.rid, message.type);
      }
    }
  }

  /** The one switch: routing only, logic lives in the methods. */
  #dispatch(message: ClientMessage): void | Promise<void> {
    if (message.type !== 'hello' && !this.#greeted) {
      throw new ProtocolError(ERROR_CODES.HELLO_REQUIRED, 'send hello first');
    }
    switch (message.type) {
      case 'hello':
        return this.#hello(message);
      case 'join':
        return this.#join(message);
      case 'resume':
        return this.#resume(message);
      case 'ice-refresh':
        return this.#iceRefresh(message);
      case 'leave':
        return this.#leave(message);
      case 'signal':
        return this.#signal(message);
      case 'chat':
        return this.#chat(message);
      case 'chat-sync':
        return this.#chatSync(message);
      case 'media':
        return this.#media(message);
      case 'settings':
        return this.#settings(message);
      case 'broadcast':
        return this.#broadcast(message);
      case 'sfu-transport':
      case 'sfu-connect':
      case 'sfu-produce':
      case 'sfu-close-producer':
      case 'sfu-consume':
      case 'sfu-consumer-pause':
      case 'sfu-layers':
      case 'sfu-restart-ice':
        return this.#sfu(message);
      case 'ping':
        return this.send({ type: 'pong', ...rid(message) });
      default:
        return assertNever(message);
    }
  }

  #hello(message: ClientMessageOf<'hello'>): void {
    if (this.#greeted) throw new ProtocolError(ERROR_CODES.ALREADY_HELLO, 'hello already received');
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
    if (this.#joined) throw new ProtocolError(ERROR_CODES.ALREADY_JOINED, 'already in a room');
    const { rooms } = this.deps;
    const role: Role = rooms.isHostKey(message.roomId, message.hostKey) ? 'host' : 'guest';
    const peer = new Peer(newPeerId(), message.name, role, message.media, this, newResumeToken());
    // A room object dropped by its last leave while we waited is closed: open it afresh.
    for (;;) {
      const room = rooms.open(message.roomId);
      if (!room) throw roomNotFound();
      const admitted = await room.queue.run(() => this.#admit(room, peer));
      if (admitted === 'retry') continue;
      if (!admitted) return;
      clearTimeout(this.#joinTimer);
      this.deps.metrics.joins.inc();
      const reply = {
        ...rid(message),
        roomId: room.id,
        peerId: peer.id,
        role,
        resumeToken: peer.resumeToken,
      };
      const iceServers = this.deps.iceServersFor(peer.id);
      this.send({ type: 'joined', ...reply, ...admitted, iceServers, ...this.#icePolicy() });
      return;
    }
  }

  async #admit(room: Room, peer: Peer): Promise<AdmitResult | 'retry' | undefined> {
    if (room.closed) return 'retry';
    if (this.#closed) {
      this.deps.rooms.releaseIfEmpty(room);
      return undefined;
    }
    try {
      const result = await room.admit(peer);
      this.#joined = { room, peer };
      return result;
    } catch (error) {
      this.deps.rooms.releaseIfEmpty(room);
      throw error;
    }
  }

  async #resume(message: ClientMessageOf<'resume'>): Promise<void> {
    if (this.#joined) throw new ProtocolError(ERROR_CODES.ALREADY_JOINED, 'already in a room');
    const room = this.deps.rooms.open(message.roomId);
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
    this.#joined = { room, peer };
    clearTimeout(this.#joinTimer);
    this.send({
      type: 'joined',
      ...rid(message),
      roomId: room.id,
      peerId: peer.id,
      role: peer.role,
      resumeToken: peer.resumeToken,
      resumed: true,
      ...snapshot,
      iceServers: this.deps.iceServersFor(peer.id),
      ...this.#icePolicy(),
    });
    peer.flushHeld();
  }

  #icePolicy(): { iceTransportPolicy: 'all' | 'relay' } {
    return { iceTransportPolicy: this.deps.config.iceRelayOnly ? 'relay' : 'all' };
  }

  #iceRefresh(message: ClientMessageOf<'ice-refresh'>): void {
    const { peer } = this.#requireJoined();
    this.send({
      type: 'ice-servers',
      ...rid(message),
      iceServers: this.deps.iceServersFor(peer.id),
    });
  }

  async #leave(message: ClientMessageOf<'leave'>): Promise<void> {
    this.#requireJoined();
    await this.#leaveRoom();
    this.send({ type: 'left', ...rid(message) });
    this.#armJoinTimer();
  }

  async #dropSeat(): Promise<void> {
    const joined = this.#joined;
    const windowMs = this.deps.config.resumeWindowMs;
    if (!joined || windowMs === 0) return this.#leaveRoom();
    await joined.room.queue.run(() => joined.room.suspend(joined.peer.id, windowMs));
  }

  async #leaveRoom(): Promise<void> {
    const joined = this.#joined;
    if (!joined) return;
    this.#joined = undefined;
    await joined.room.queue.run(() => joined.room.remove(joined.peer.id));
    this.deps.rooms.releaseIfEmpty(joined.room);
  }

  #signal(message: ClientMessageOf<'signal'>): void {
    const { room, peer } = this.#requireJoined();
    room.relaySignal(peer.id, message.to, message.data);
  }

  async #chat(message: ClientMessageOf<'chat'>): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const { message: stored } = await room.queue.run(() =>
      room.postChat(peer, message.clientId, message.text),
    );
    this.send({
      type: 'chat-ack',
      ...rid(message),
      clientId: stored.clientId,
      seq: stored.seq,
      ts: stored.ts,
    });
  }

  #chatSync(message: ClientMessageOf<'chat-sync'>): void {
    const { room } = this.#requireJoined();
    this.send({ type: 'chat-history', ...rid(message), ...room.chatSince(message.since) });
  }

  async #media(message: ClientMessageOf<'media'>): Promise<void> {
    const { room, peer } = this.#requireJoined();
    if (message.media.screen && !peer.media.screen && !mayShareScreen(room, peer)) {
      throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'screen sharing is not allowed in this room');
    }
    await room.queue.run(() => room.updateMedia(peer, message.media));
    this.send({ type: 'media-ok', ...rid(message) });
  }

  async #settings(message: ClientMessageOf<'settings'>): Promise<void> {
    const { room, peer } = this.#requireJoined();
    if (peer.role !== 'host') {
      throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'only a host can change room settings');
    }
    await room.queue.run(() => room.updateSettings(message.settings, peer.id));
    // Everyone, the host included, gets the new settings (the host's copy carries the rid).
    this.send({ type: 'settings', ...rid(message), settings: room.settings });
  }

  async #broadcast(message: ClientMessageOf<'broadcast'>): Promise<void> {
    const { room, peer } = this.#requireJoined();
    if (peer.role !== 'host') {
      throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'only a host can start or stop a broadcast');
    }
    await room.queue.run(() => (message.live ? room.media.goLive() : room.media.stopLive()));
    this.send({ type: 'broadcast-state', ...rid(message), live: room.live });
  }

  async #sfu(message: SfuMessage): Promise<void> {
    const { room, peer } = this.#requireJoined();
    const reply = await handleSfuMessage(room, peer, message);
    this.send({ ...reply, ...rid(message) });
  }

  #requireJoined(): Joined {
    if (!this.#joined) throw new ProtocolError(ERROR_CODES.NOT_JOINED, 'join a room first');
    return this.#joined;
  }

  #rateLimited(): void {
    this.#drops++;
    if (this.#drops > RATE_ABUSE_DROPS) {
      this.#close(CLOSE_CODES.RATE_LIMIT_ABUSE, 'message rate limit exceeded');
      return;
    }
    this.#error(ERROR_CODES.RATE_LIMITED, 'too many messages; this one was dropped');
  }

  #error(
    code: ServerMessageOf<'error'>['code'],
    text: string,
    requestId?: number,
    ref?: string,
  ): void {
    this.deps.metrics.errors.inc({ code });
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
      if (!this.#joined) this.#close(CLOSE_CODES.JOIN_TIMEOUT, 'no join in time');
    }, this.deps.config.joinTimeoutMs);
    this.#joinTimer.unref();
  }

  #close(code: number, reason: string): void {
    this.socket.close(code, reason);
    this.closed();
  }
}

function mayShareScreen(room: Room, peer: Peer): boolean {
  return room.settings.screenShare || peer.role === 'host';
}

function rid(message: { rid?: number | undefined }): { rid?: number } {
  return message.rid === undefined ? {} : { rid: message.rid };
}

function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
