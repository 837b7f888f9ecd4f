// A bot's side of the SFU for one stay of the room there: the receive transport and its
// consumers, the send transport and its producers, in the app's request order
// (app/src/call/topology/sfu/SfuSession.ts). A room that moves back to the mesh closes it; the
// next move to the SFU opens a new one.

import type { ProducerInfo, SfuState, SfuTransport } from '@parley/protocol';
import type { BotSocket } from './BotSocket.ts';
import { RecvPeer, SendPeer, botMedia } from './peer.ts';
import type { DtlsParams, Kind, RouterCaps } from './peer.ts';
import { RtpCounter } from './rtpCounter.ts';
import type { LayerEncoding, TransportParams, RtpParams } from './sdp.ts';

export interface ConsumerInfo {
  consumerId: string;
  producerPeerId: string;
  kind: Kind;
}

export interface BotSfuHost {
  request: BotSocket['request'];
  selfId(): string | undefined;
  /** A consumer to count in the bot's report. */
  consumer(info: ConsumerInfo, counter: RtpCounter): void;
  /** The send transport is connected: packets may flow (the clip starts on a keyframe). */
  sendReady(peer: SendPeer): void;
  keyframeRequest(): void;
  /** Background work that failed (the bot reports it). */
  background(work: Promise<void>, what: string): void;
}

export interface BotSfuOptions {
  publish: Kind[];
  subscribe: boolean;
  maxVideo: number;
  timeoutMs: number;
  /** Simulcast: the video layers, lowest first. Default (empty): one video stream. */
  videoLayers?: LayerEncoding[];
}

/**
 * mediasoup's transport parameters, checked for what the SDP needs: the protocol only types
 * them as records (mediasoup validates their contents on the server).
 */
export function transportOf(t: SfuTransport): TransportParams {
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

export class BotSfu {
  readonly #caps: RouterCaps;
  #recv: Promise<RecvPeer> | undefined;
  /** The receive side once created (dropPeer stops its counting synchronously). */
  #recvPeer: RecvPeer | undefined;
  #send: SendPeer | undefined;
  readonly #consumed = new Set<string>();
  /** This stay's consumers (counted until their peer is shown through the mesh: dropPeer). */
  readonly #consumers = new Map<string, { info: ConsumerInfo; counter: RtpCounter }>();
  #videoConsumers = 0;
  #closed = false;
  /** Resolves once this bot's producers exist; undefined when it publishes nothing. */
  readonly published: Promise<void> | undefined;

  constructor(
    state: SfuState,
    private readonly options: BotSfuOptions,
    private readonly host: BotSfuHost,
  ) {
    this.#caps = state.routerRtpCapabilities as unknown as RouterCaps;
    if (options.subscribe) {
      const caps = this.#caps;
      const recv = state.recvTransport;
      this.#recv = (
        recv ? Promise.resolve(recv) : host.request({ type: 'sfu-transport', direction: 'recv' })
      ).then((t) => (this.#recvPeer = new RecvPeer(t.id, transportOf(t), caps)));
      host.background(
        this.#recv.then(() => undefined),
        'recv transport',
      );
      // Video first, as the server lists them: the first picture is what a joiner waits for.
      for (const p of state.producers) this.consume(p);
    }
    if (options.publish.length > 0) {
      this.published = this.#publish();
      host.background(this.published, 'publish');
    }
  }

  consume(p: ProducerInfo): void {
    this.host.background(this.#consume(p), 'consume');
  }

  /** True once every consumer of `peerId`'s media receives (false while there is none). */
  flowingFrom(peerId: string): boolean {
    const mine = [...this.#consumers.values()].filter((c) => c.info.producerPeerId === peerId);
    return mine.length > 0 && mine.every((c) => c.counter.counts().packets > 0);
  }

  /** Whether this stay consumes anything of `peerId`. */
  consumes(peerId: string): boolean {
    return [...this.#consumers.values()].some((c) => c.info.producerPeerId === peerId);
  }

  /** The peer is shown through the mesh again: its consumers stop counting (as the app closes them). */
  dropPeer(peerId: string): void {
    for (const [id, c] of this.#consumers)
      if (c.info.producerPeerId === peerId) this.#recvPeer?.uncount(id);
  }

  async #publish(): Promise<void> {
    const { publish } = this.options;
    const t = await this.host.request({ type: 'sfu-transport', direction: 'send' });
    const layers = this.options.videoLayers ?? [];
    const { peer, dtls } = await SendPeer.open(transportOf(t), this.#caps, publish, layers);
    if (this.#closed) {
      await peer.close();
      return;
    }
    this.#send = peer;
    await this.#connect(t.id, dtls);
    peer.onKeyframeRequest = () => this.host.keyframeRequest();
    // Start with the clip's keyframe once DTLS is up: packets before it would be dropped.
    await connected(peer.pc, this.options.timeoutMs);
    if (this.#closed) return;
    this.host.sendReady(peer);
    for (const kind of publish) {
      const rtpParameters = peer.parameters.get(kind);
      if (!rtpParameters) throw new Error(`no ${kind} m-line`);
      await this.host.request({
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
    if (!recvPromise || this.#closed || p.peerId === this.host.selfId()) return;
    if (this.#consumed.has(p.producerId)) return;
    if (p.kind === 'video' && this.#videoConsumers >= this.options.maxVideo) return;
    this.#consumed.add(p.producerId);
    if (p.kind === 'video') this.#videoConsumers += 1;
    const recv = await recvPromise;
    // Before the transport connects the consumer may start running (the server asks for a
    // keyframe once DTLS is up); later ones start paused and are resumed below, as the app does.
    const running = recv.pc.connectionState === 'new';
    const reply = await this.host.request({
      type: 'sfu-consume',
      producerId: p.producerId,
      rtpCapabilities: botMedia(this.#caps).rtpCapabilities,
      ...(running ? { paused: false } : {}),
    });
    const counter = new RtpCounter(reply.kind);
    const id = reply.consumerId;
    const { dtls } = await recv.addConsumer(
      id,
      reply.kind,
      reply.rtpParameters as unknown as RtpParams,
      counter,
    );
    const info = { consumerId: id, producerPeerId: reply.peerId, kind: reply.kind };
    this.#consumers.set(id, { info, counter });
    this.host.consumer(info, counter);
    if (dtls) await this.#connect(recv.transportId, dtls);
    if (!running)
      await this.host.request({ type: 'sfu-consumer-pause', consumerId: id, paused: false });
  }

  async #connect(transportId: string, dtls: DtlsParams): Promise<void> {
    await this.host.request({ type: 'sfu-connect', transportId, dtlsParameters: dtls });
  }

  /** The send side while connected (the bot's clip feeds it). */
  get sendPeer(): SendPeer | undefined {
    return this.#send;
  }

  /** Idempotent. The server closes the transports with the SFU room (or when the bot leaves). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#send?.close().catch(() => undefined);
    const recv = await this.#recv?.catch(() => undefined);
    await recv?.close().catch(() => undefined);
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
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
export function connected(
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
