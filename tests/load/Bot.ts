// One headless participant: joins a room through the real protocol (WebSocket, hello, join,
// the waiting room), publishes a looping clip and/or receives everyone else's media over real
// WebRTC (ICE, DTLS, SRTP, RTCP), counting what arrives. Like the app, it takes the path the
// room decides: in a mesh room one link per other participant (BotMesh, the app's simple-peer
// protocol), on the SFU its transports (BotSfu), and it follows the live switch between them
// make before break (botSwitch.ts, the app's Switcher), so a browser's tile of a bot keeps
// playing across a switch.

import { RoomIdSchema } from '@parley/protocol';
import type { PeerId, ServerMessage, SfuState, WaitingPeer } from '@parley/protocol';
import { BotMesh } from './BotMesh.ts';
import { BotRequestError, BotSocket } from './BotSocket.ts';
import { BotSfu, withTimeout } from './BotSfu.ts';
import type { ConsumerInfo } from './BotSfu.ts';
import { ClipSender } from './ClipSender.ts';
import type { RtpSink, SenderCounts } from './ClipSender.ts';
import { simulcastClip } from './clip.ts';
import type { Clip } from './clip.ts';
import { readRelay } from './meshSignal.ts';
import type { Kind, SendPeer } from './peer.ts';
import type { LayerEncoding } from './sdp.ts';
import type { RtpCounter, RtpCounts } from './rtpCounter.ts';
import { BotSwitch } from './botSwitch.ts';
import type { Via } from './botSwitch.ts';

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
  /**
   * Simulcast layers the bot's camera sends to the SFU, as the app does (`simulcastSpec`):
   * 3 = 320x180, 640x360 and 1280x720 (the app's 720p camera), 2 = 320x180 and 640x360. The
   * clip is then `simulcastClip(n)` (its audio too), unless `clip` already has n layers. Mesh
   * links send one layer, 640x360. Default 1: `clip`, one 640x360 stream.
   */
  videoLayers?: number;
}

export interface ConsumerReport {
  consumerId: string;
  producerPeerId: string;
  kind: Kind;
  counts: RtpCounts;
  /** Which path brought it: an SFU consumer, or a track of a mesh link. Absent: the SFU. */
  via?: Via;
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

/** How often a switching bot checks which peers it now receives through the new path. */
const SWITCH_POLL_MS = 200;

export class Bot {
  readonly report: BotReport;
  #socket: BotSocket | undefined;
  #sfu: BotSfu | undefined;
  #mesh: BotMesh | undefined;
  #switch: BotSwitch | undefined;
  #sender: ClipSender | undefined;
  /** What this bot sends (set by join: `options.clip`, or the simulcast clip). */
  #sendClip: Clip | undefined;
  /** Where the clip goes: the SFU send transport while it is up, and every mesh link. */
  #sfuSink: SendPeer | undefined;
  readonly #counters = new Map<string, { info: ConsumerInfo; counter: RtpCounter }>();
  /** The others in the room, and those we initiate mesh links to (here when we joined). */
  readonly #peers = new Set<string>();
  readonly #initiateTo = new Set<string>();
  #poll: ReturnType<typeof setInterval> | undefined;
  /** Pushes that came before the media paths existed (see #onPush). */
  readonly #early: ServerMessage[] = [];
  #closed = false;
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
    // Before connecting: a simulcast clip not cached yet takes FFmpeg ~20 s (spawnSync), which
    // must not stall a joined bot's socket and media, nor count in its join time.
    this.#sendClip = this.#clip();
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
    this.#begin(
      joined.mode,
      joined.peers.map((p) => p.peerId),
      joined.sfu,
    );
  }

  #onAdmitted: (m: ServerMessage) => void = () => undefined;

  /** The media paths of this membership, as the app's Topology begins them. */
  #begin(mode: Via, peers: string[], sfu: SfuState | undefined): void {
    if (this.#closed) return;
    const { publish } = this.options;
    const clip = this.#sendClip;
    if (publish.length > 0 && !clip) this.#fail('a publisher needs a clip');
    if (publish.length > 0 && clip) {
      const sink: RtpSink = {
        send: (kind, payload, ts, marker, layer) => {
          this.#sfuSink?.send(kind, payload, ts, marker, layer);
          // The app's mesh sends one picture per link.
          if (layer === undefined || layer === clip.meshLayer)
            this.#mesh?.send(kind, payload, ts, marker);
        },
      };
      this.#sender = new ClipSender(clip, sink, new Set(publish));
      this.report.sent = this.#sender.counts;
    }
    this.#mesh = new BotMesh(this.#sender !== undefined, {
      signal: (to, data) => this.#sendSignal(to, data),
      connected: () => this.#sinkReady(),
      keyframeRequest: () => this.#sender?.requestKeyframe(),
    });
    this.#switch = new BotSwitch(
      {
        tell: (peerId, via) => this.#sendSignal(peerId, { ctl: 'swapped', via }),
        closeMeshLink: (peerId) => this.#mesh?.retire(peerId),
        dropConsumers: (peerId) => this.#sfu?.dropPeer(peerId),
        closeSfu: () => this.#closeSfu(),
        peers: () => [...this.#peers],
      },
      mode,
    );
    this.#poll = setInterval(() => this.#checkSwaps(), SWITCH_POLL_MS);
    this.#mesh.setAccepting(mode === 'mesh');
    for (const peerId of peers) {
      this.#peers.add(peerId);
      this.#initiateTo.add(peerId);
      if (mode === 'mesh') this.#mesh.connectTo(peerId);
    }
    if (mode === 'sfu') this.#openSfu(sfu);
    for (const m of this.#early.splice(0)) this.#onPush(m);
  }

  /** The clip this bot sends: `options.clip`, or the simulcast one `videoLayers` asks for. */
  #clip(): Clip | undefined {
    const { clip, videoLayers = 1, publish } = this.options;
    if (videoLayers <= 1 || !publish.includes('video')) return clip;
    if (clip?.layers?.length === videoLayers) return clip;
    try {
      return simulcastClip(videoLayers);
    } catch (e) {
      this.#fail(`simulcast clip: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** The video layers `sfu-produce` announces, from the clip's spec (none for one layer). */
  #layerEncodings(): LayerEncoding[] {
    const spec = this.#sender?.clip.spec;
    return (spec?.layers ?? []).map((l) => ({
      scaleResolutionDownBy: spec ? spec.width / l.width : 1,
      maxBitrate: l.videoKbps * 1000,
    }));
  }

  /**
   * Asks the SFU for a simulcast layer of one of this bot's consumers (0 = lowest), as the
   * app does from a tile's size (`sfu-layers`, mediasoup's `setPreferredLayers`).
   */
  async preferLayer(consumerId: string, spatialLayer: number): Promise<void> {
    await this.#request({ type: 'sfu-layers', consumerId, spatialLayer });
  }

  #onPush(m: ServerMessage): void {
    // Messages that came in the same read as `joined` are handled before the code after the
    // join's await runs: the media paths take them once they exist.
    if (!this.#switch && !['joined', 'removed', 'lobby'].includes(m.type)) {
      this.#early.push(m);
      return;
    }
    switch (m.type) {
      case 'joined':
      case 'removed':
        this.#onAdmitted(m);
        if (m.type === 'removed') this.#fail(`removed from the room (${m.reason})`);
        return;
      case 'room-mode':
        return this.#onRoomMode(m.mode, m.sfu);
      case 'peer-joined':
        // The newcomer initiates the mesh link (if any); we answer its offer.
        this.#peers.add(m.peer.peerId);
        return;
      case 'peer-left':
        return this.#peerLeft(m.peerId);
      case 'signal':
        return this.#onSignal(m.from, m.data);
      case 'sfu-producer-added':
        this.#sfu?.consume(m.producer);
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

  /** The live switch (app/src/call/topology/Topology.ts `onRoomMode`). */
  #onRoomMode(mode: Via, sfu: SfuState | undefined): void {
    const sw = this.#switch;
    const mesh = this.#mesh;
    if (!sw || !mesh || mode === sw.target) return;
    sw.setTarget(mode);
    mesh.setAccepting(mode === 'mesh');
    if (mode === 'sfu') {
      this.#openSfu(sfu);
      return;
    }
    for (const peerId of this.#initiateTo) {
      if (this.#peers.has(peerId) && !mesh.hasLink(peerId)) mesh.connectTo(peerId);
    }
  }

  #onSignal(from: string, data: Record<string, unknown>): void {
    const got = readRelay(data);
    if (got.what === 'note') {
      if (got.note.ctl === 'swapped') this.#switch?.remoteOn(from, got.note.via);
    } else if (got.what === 'signal') {
      this.#mesh?.onSignal(from, got.link, got.signal);
    }
  }

  #peerLeft(peerId: string): void {
    this.#peers.delete(peerId);
    this.#initiateTo.delete(peerId);
    this.#mesh?.removePeer(peerId);
    this.#switch?.peerLeft(peerId);
  }

  /**
   * During a switch: a peer counts as moved once what it sends arrives through the new path
   * (at once when it sends nothing on the old one), as the app's tiles move when the new
   * stream decodes. Cheap: a few map lookups per peer.
   */
  #checkSwaps(): void {
    const sw = this.#switch;
    const mesh = this.#mesh;
    if (!sw || !mesh) return;
    for (const peerId of this.#peers) {
      if (!sw.pending(peerId)) continue;
      if (sw.target === 'sfu') {
        const sfu = this.#sfu;
        if (!sfu) continue;
        const subscribe = this.options.subscribe ?? true;
        const nothingOnMesh = !mesh.flowingFrom(peerId);
        if (!subscribe || sfu.flowingFrom(peerId) || nothingOnMesh)
          sw.localOn(peerId, 'sfu', mesh.hasLink(peerId));
      } else if (
        mesh.flowingFrom(peerId) ||
        (mesh.isConnected(peerId) && !this.#sfu?.consumes(peerId))
      ) {
        sw.localOn(peerId, 'mesh');
      }
    }
  }

  #openSfu(state: SfuState | undefined): void {
    if (this.#closed) return;
    if (!state) {
      this.#fail('the room is on the SFU but the server sent no SFU state');
      return;
    }
    // A move back within the last one's grace: that stay's side is replaced.
    this.#closeSfu();
    this.#sfu = new BotSfu(
      state,
      {
        publish: this.#sender ? this.options.publish : [],
        subscribe: this.options.subscribe ?? true,
        maxVideo: this.options.maxVideo ?? Infinity,
        timeoutMs: this.#timeoutMs,
        videoLayers: this.#layerEncodings(),
      },
      {
        request: this.#request,
        selfId: () => this.report.peerId,
        consumer: (info, counter) => this.#counters.set(info.consumerId, { info, counter }),
        sendReady: (peer) => {
          this.#sfuSink = peer;
          this.#sinkReady();
        },
        keyframeRequest: () => this.#sender?.requestKeyframe(),
        background: (work, what) => this.#background(work, what),
      },
    );
  }

  #closeSfu(): void {
    const sfu = this.#sfu;
    if (!sfu) return;
    this.#sfu = undefined;
    this.#sfuSink = undefined;
    this.#background(sfu.close(), 'closing the SFU side');
  }

  /** A new receiver of the clip is connected: it starts on the clip's keyframe. */
  #sinkReady(): void {
    const sender = this.#sender;
    if (!sender || this.#closed) return;
    if (sender.running) sender.sendKeyframe();
    else sender.start();
  }

  /**
   * Resolves once this bot's producers exist on the server (at once when it publishes nothing
   * or its room is not on the SFU yet); rejects if publishing failed.
   */
  get published(): Promise<void> {
    return this.#sfu?.published ?? Promise.resolve();
  }

  /** Consumers and mesh tracks that have received at least one packet. */
  get flowing(): number {
    return this.#received().filter((c) => c.counts.packets > 0).length;
  }

  /** Mesh links up now (the app's `meshLinkCount`). */
  get meshLinks(): number {
    return this.#mesh?.connectedCount ?? 0;
  }

  #received(): ConsumerReport[] {
    const sfu = [...this.#counters.values()].map((c) => ({
      ...c.info,
      counts: c.counter.counts(),
    }));
    const mesh = (this.#mesh?.received() ?? []).map((t) => ({
      consumerId: `mesh:${t.link}:${t.mid}`,
      producerPeerId: t.peerId,
      kind: t.kind,
      counts: t.counts,
      via: 'mesh' as const,
    }));
    return [...sfu, ...mesh];
  }

  #sendSignal(to: string, data: Record<string, unknown>): void {
    if (this.#closed) return;
    this.#socket?.send({ type: 'signal', to: to as PeerId, data });
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
    this.report.consumers = this.#received();
    return { ...this.report, sent: this.#sender ? { ...this.#sender.counts } : undefined };
  }

  /** Leaves the room and closes everything. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poll);
    this.#switch?.close();
    this.#sender?.stop();
    const socket = this.#socket;
    if (socket) {
      await socket.request({ type: 'leave' }, 5_000).catch(() => undefined);
      socket.close();
    }
    await this.#mesh?.close();
    await this.#sfu?.close();
  }
}
