// One headless participant: joins a room through the real protocol (WebSocket, hello, join,
// the waiting room), and once the room is on the SFU publishes a looping clip and/or consumes
// everyone else's media over real WebRTC (ICE, DTLS, SRTP, RTCP), counting what arrives.
// The order of requests is the app's (app/src/call/topology/sfu/SfuSession.ts).

import { RoomIdSchema } from '@parley/protocol';
import type {
  ProducerInfo,
  ServerMessage,
  SfuState,
  SfuTransport,
  WaitingPeer,
} from '@parley/protocol';
import { BotRequestError, BotSocket } from './BotSocket.ts';
import { ClipSender } from './ClipSender.ts';
import type { SenderCounts } from './ClipSender.ts';
import type { Clip } from './clip.ts';
import { RecvPeer, SendPeer, botMedia } from './peer.ts';
import type { DtlsParams, Kind, RouterCaps } from './peer.ts';
import { RtpCounter } from './rtpCounter.ts';
import type { RtpCounts } from './rtpCounter.ts';
import type { TransportParams, RtpParams } from './sdp.ts';

export interface BotOptions {
  /** The server's base URL, `http://host:port`. */
  url: string;
  roomId: string;
  name: string;
  /** Makes this bot the host (from `POST /api/rooms`); it then admits waiting bots. */
  hostKey?: string;
  password?: string;
  /** What to send; empty for a subscriber. Needs `clip`. */
  publish: Kind[];
  clip?: Clip;
  /** Consume the others' producers. Default true. */
  subscribe?: boolean;
  /** Video consumers at most (a 3x3 grid shows 9); audio is always consumed. Default all. */
  maxVideo?: number;
  /** A host bot admits waiting peers whose name starts with this. Default: none. */
  admitPrefix?: string;
  /** For the join and each request. Default 20 s. */
  timeoutMs?: number;
}

export interface ConsumerReport {
  consumerId: string;
  producerPeerId: string;
  kind: Kind;
  counts: RtpCounts;
}

export interface BotReport {
  name: string;
  peerId: string | undefined;
  role: string | undefined;
  /** The room's mode when the bot joined, and whether it reached the SFU. */
  joinedMode: string | undefined;
  /** ms since the epoch: the join was sent ("Join" clicked) and `joined` came. */
  joinStartedAt: number;
  joinedAt: number | undefined;
  consumers: ConsumerReport[];
  sent: SenderCounts | undefined;
  errors: string[];
}

/**
 * mediasoup's transport parameters, checked for what the SDP needs: the protocol only types
 * them as records (mediasoup validates their contents on the server).
 */
function transportOf(t: SfuTransport): TransportParams {
  const ice = t.iceParameters;
  const dtls = t.dtlsParameters;
  if (typeof ice.usernameFragment !== 'string' || typeof ice.password !== 'string') {
    throw new Error('transport without ICE credentials');
  }
  if (!Array.isArray(dtls.fingerprints)) throw new Error('transport without DTLS fingerprints');
  return {
    iceParameters: { usernameFragment: ice.usernameFragment, password: ice.password },
    iceCandidates: t.iceCandidates.map((c) => ({
      foundation: String(c.foundation),
      priority: Number(c.priority),
      ip: String(c.ip ?? c.address),
      protocol: String(c.protocol),
      port: Number(c.port),
    })),
    dtlsParameters: {
      fingerprints: dtls.fingerprints as TransportParams['dtlsParameters']['fingerprints'],
    },
  };
}

export class Bot {
  readonly report: BotReport;
  #socket: BotSocket | undefined;
  #caps: RouterCaps | undefined;
  #recv: Promise<RecvPeer> | undefined;
  #send: SendPeer | undefined;
  #sender: ClipSender | undefined;
  readonly #counters = new Map<
    string,
    { info: Omit<ConsumerReport, 'counts'>; counter: RtpCounter }
  >();
  readonly #consumed = new Set<string>();
  #videoConsumers = 0;
  #closed = false;
  #sfuStarted = false;
  #published: Promise<void> | undefined;
  readonly #admitted = new Set<string>();
  readonly #timeoutMs: number;

  constructor(private readonly options: BotOptions) {
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.report = {
      name: options.name,
      peerId: undefined,
      role: undefined,
      joinedMode: undefined,
      joinStartedAt: 0,
      joinedAt: undefined,
      consumers: [],
      sent: undefined,
      errors: [],
    };
  }

  /** Connects and joins; resolves once admitted (after the waiting room, if any). */
  async join(): Promise<void> {
    const o = this.options;
    const socket = await BotSocket.open(o.url, o.roomId, this.#timeoutMs);
    this.#socket = socket;
    socket.onPush = (m) => this.#onPush(m);
    socket.onInvalid = (what) => this.#fail(`invalid server message: ${what}`);
    socket.onClose = (code) => {
      if (!this.#closed) this.#fail(`socket closed by the server (${code})`);
    };
    const admitted = new Promise<ServerMessage>((resolve) => (this.#onAdmitted = resolve));
    this.report.joinStartedAt = Date.now();
    const reply = await socket.request(
      {
        type: 'join',
        roomId: RoomIdSchema.parse(o.roomId),
        name: o.name,
        media: { audio: o.publish.includes('audio'), video: o.publish.includes('video') },
        ...(o.hostKey ? { hostKey: o.hostKey } : {}),
        ...(o.password ? { password: o.password } : {}),
      },
      this.#timeoutMs,
    );
    const joined =
      reply.type === 'joined' ? reply : await withTimeout(admitted, this.#timeoutMs, 'admission');
    if (joined.type !== 'joined') throw new Error(`not admitted: ${joined.type}`);
    this.report.joinedAt = Date.now();
    this.report.peerId = joined.peerId;
    this.report.role = joined.role;
    this.report.joinedMode = joined.mode;
    if (joined.sfu) this.#startSfu(joined.sfu);
  }

  #onAdmitted: (m: ServerMessage) => void = () => undefined;

  #onPush(m: ServerMessage): void {
    switch (m.type) {
      case 'joined':
      case 'removed':
        this.#onAdmitted(m);
        if (m.type === 'removed') this.#fail(`removed from the room (${m.reason})`);
        return;
      case 'room-mode':
        if (m.mode === 'sfu' && m.sfu) this.#startSfu(m.sfu);
        return;
      case 'sfu-producer-added':
        this.#background(this.#consume(m.producer), 'consume');
        return;
      case 'sfu-restart':
        this.#fail('the SFU side was rebuilt (sfu-restart): bots do not follow it yet');
        return;
      case 'lobby':
        this.#admit(m.waiting);
        return;
      default:
        return;
    }
  }

  /** A host bot lets in the waiting peers that are bots of this run (by name prefix). */
  #admit(waiting: WaitingPeer[]): void {
    const prefix = this.options.admitPrefix;
    if (prefix === undefined) return;
    for (const w of waiting) {
      if (!w.name.startsWith(prefix) || this.#admitted.has(w.peerId)) continue;
      this.#admitted.add(w.peerId);
      this.#background(
        this.#request({ type: 'admit', peerId: w.peerId }).then(() => undefined),
        'admit',
      );
    }
  }

  #startSfu(state: SfuState): void {
    if (this.#sfuStarted || this.#closed) return;
    this.#sfuStarted = true;
    this.#caps = state.routerRtpCapabilities as unknown as RouterCaps;
    const subscribe = this.options.subscribe ?? true;
    if (subscribe) {
      const caps = this.#caps;
      const recv = state.recvTransport;
      this.#recv = (
        recv ? Promise.resolve(recv) : this.#request({ type: 'sfu-transport', direction: 'recv' })
      ).then((t) => new RecvPeer(t.id, transportOf(t), caps));
      this.#recv.catch((e: unknown) => this.#fail(`recv transport: ${String(e)}`));
      // Video first, as the server lists them: the first picture is what a joiner waits for.
      for (const p of state.producers) this.#background(this.#consume(p), 'consume');
    }
    if (this.options.publish.length > 0) {
      this.#published = this.#publish();
      this.#background(this.#published, 'publish');
    }
  }

  /**
   * Resolves once this bot's producers exist on the server (at once when it publishes nothing
   * or its room is not on the SFU yet); rejects if publishing failed.
   */
  get published(): Promise<void> {
    return this.#published ?? Promise.resolve();
  }

  /** Consumers that have received at least one packet. */
  get flowing(): number {
    return [...this.#counters.values()].filter((c) => c.counter.counts().packets > 0).length;
  }

  async #publish(): Promise<void> {
    const { clip, publish } = this.options;
    if (!clip || !this.#caps) throw new Error('a publisher needs a clip');
    const t = await this.#request({ type: 'sfu-transport', direction: 'send' });
    const { peer, dtls } = await SendPeer.open(transportOf(t), this.#caps, publish);
    if (this.#closed) {
      await peer.close();
      return;
    }
    this.#send = peer;
    await this.#connect(t.id, dtls);
    const sender = new ClipSender(clip, peer, new Set(publish));
    this.#sender = sender;
    this.report.sent = sender.counts;
    peer.onKeyframeRequest = () => sender.requestKeyframe();
    // Start with the clip's keyframe once DTLS is up: packets before it would be dropped.
    await connected(peer.pc, this.#timeoutMs);
    if (this.#closed) return;
    sender.start();
    for (const kind of publish) {
      const rtpParameters = peer.parameters.get(kind);
      if (!rtpParameters) throw new Error(`no ${kind} m-line`);
      await this.#request({
        type: 'sfu-produce',
        transportId: t.id,
        kind,
        rtpParameters: rtpParameters as unknown as Record<string, unknown>,
        source: kind === 'audio' ? 'mic' : 'camera',
      });
    }
  }

  async #consume(p: ProducerInfo): Promise<void> {
    const recvPromise = this.#recv;
    if (!recvPromise || !this.#caps || p.peerId === this.report.peerId) return;
    if (this.#consumed.has(p.producerId)) return;
    if (p.kind === 'video' && this.#videoConsumers >= (this.options.maxVideo ?? Infinity)) return;
    this.#consumed.add(p.producerId);
    if (p.kind === 'video') this.#videoConsumers += 1;
    const recv = await recvPromise;
    // Before the transport connects the consumer may start running (the server asks for a
    // keyframe once DTLS is up); later ones start paused and are resumed below, as the app does.
    const running = recv.pc.connectionState === 'new';
    const reply = await this.#request({
      type: 'sfu-consume',
      producerId: p.producerId,
      rtpCapabilities: botMedia(this.#caps).rtpCapabilities,
      ...(running ? { paused: false } : {}),
    });
    const counter = new RtpCounter(reply.kind);
    const { track, dtls } = await recv.addConsumer(
      reply.consumerId,
      reply.kind,
      reply.rtpParameters as unknown as RtpParams,
    );
    track.track.onReceiveRtp.subscribe((rtp) =>
      counter.add(rtp.header.sequenceNumber, rtp.header.marker, rtp.payload),
    );
    this.#counters.set(reply.consumerId, {
      info: { consumerId: reply.consumerId, producerPeerId: reply.peerId, kind: reply.kind },
      counter,
    });
    if (dtls) await this.#connect(recv.transportId, dtls);
    if (!running)
      await this.#request({
        type: 'sfu-consumer-pause',
        consumerId: reply.consumerId,
        paused: false,
      });
  }

  async #connect(transportId: string, dtls: DtlsParams): Promise<void> {
    await this.#request({ type: 'sfu-connect', transportId, dtlsParameters: dtls });
  }

  #request: BotSocket['request'] = (message, timeoutMs) => {
    if (!this.#socket) return Promise.reject(new Error('not connected'));
    return this.#socket.request(message, timeoutMs ?? this.#timeoutMs);
  };

  #background(work: Promise<void>, what: string): void {
    work.catch((e: unknown) => {
      // A producer that left meanwhile is not the bot's failure.
      if (
        e instanceof BotRequestError &&
        (e.code === 'SFU_NOT_FOUND' || e.code === 'CANNOT_CONSUME')
      )
        return;
      this.#fail(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.report.errors.push(reason);
  }

  /** Snapshot of what the bot has seen and sent so far. */
  snapshot(): BotReport {
    this.report.consumers = [...this.#counters.values()].map((c) => ({
      ...c.info,
      counts: c.counter.counts(),
    }));
    return { ...this.report, sent: this.#sender ? { ...this.#sender.counts } : undefined };
  }

  /** Leaves the room and closes everything. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sender?.stop();
    const socket = this.#socket;
    if (socket) {
      await socket.request({ type: 'leave' }, 5_000).catch(() => undefined);
      socket.close();
    }
    await this.#send?.close().catch(() => undefined);
    const recv = await this.#recv?.catch(() => undefined);
    await recv?.close().catch(() => undefined);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once the peer connection is `connected`. */
function connected(
  pc: {
    connectionState: string;
    connectionStateChange: { subscribe(f: (s: string) => void): { unSubscribe(): void } };
  },
  ms: number,
): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const sub = pc.connectionStateChange.subscribe((s) => {
        if (s === 'connected') {
          sub.unSubscribe();
          resolve();
        } else if (s === 'failed' || s === 'closed') {
          sub.unSubscribe();
          reject(new Error(`connection ${s}`));
        }
      });
    }),
    ms,
    'ICE and DTLS',
  );
}
