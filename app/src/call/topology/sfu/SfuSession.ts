import type { Consumer, Device, Producer, Transport } from 'mediasoup-client/types';
import type {
  MediaSource,
  ProducerInfo,
  SfuConsumerInfo,
  SfuState,
  SfuTransport,
} from '@parley/protocol';
import { RequestError } from '../../session/RequestChannel.ts';
import { cameraEncodings, spatialLayersOf } from './simulcast.ts';
import type { RequestChannel } from '../../session/RequestChannel.ts';
import { START_BITRATE_KBPS } from '../sdp.ts';
import { loadSfuDevice } from './sfuDevice.ts';
import { IceRecovery } from './iceRecovery.ts';
import { log } from '../../../log.ts';
import { background } from '../../../util/background.ts';
import { createTransport, dtlsOf } from './transport.ts';
import { takeWarmTransport } from './warmTransport.ts';
import { applySendPlan } from '../../quality/sendPlan.ts';
import type { SendPlan } from '../../quality/sendPlan.ts';

/** Error codes that mean "that producer or consumer no longer exists". */
const GONE = new Set(['SFU_NOT_FOUND', 'CANNOT_CONSUME']);

/** A remote track arriving through the SFU (one consumer). */
export interface SfuTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  stats(): Promise<RTCStatsReport>;
}

export interface SfuSessionEvents {
  track(t: SfuTrack): void;
  /** Whether a new consumer should be paused (its tile is not shown); undefined: not known yet. */
  paused(t: SfuTrack): boolean | undefined;
  trackGone(consumerId: string): void;
  /** A transport failed or a request was refused: the session is unusable. */
  failed(reason: string): void;
  /** An ICE restart of a transport is under way (true) or over and connected (false). */
  restarting(active: boolean): void;
}

/** The ICE configuration of new transports, and fresh TURN credentials before a restart. */
export interface SfuIce {
  config(): RTCConfiguration;
  refresh(): Promise<unknown>;
}

/**
 * Our side of the room's mediasoup router: the Device, one send and one receive transport,
 * our producers (by source) and our consumers. No UI and no tile logic: remote tracks are
 * handed out through `events.track` and the tile bookkeeping decides what to show.
 */
export class SfuSession {
  private device: Device | undefined;
  private sendTransport: Transport | undefined;
  private recvTransport: Transport | undefined;
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly consumers = new Map<
    string,
    { consumer: Consumer; info: SfuTrack; spatialLayers: number }
  >();
  /** Producer ids we consume or are consuming, so a duplicate push is ignored. */
  private readonly consumed = new Set<string>();
  private readonly lastPaused = new Map<string, boolean>();
  private readonly lastLayer = new Map<string, number>();
  private ready: Promise<void> | undefined;
  /** Resolved by the first video consumer's first packets (see `receiving`). */
  private readonly firstPicture: Promise<void>;
  private pictureArrived: () => void = () => undefined;
  private closed = false;
  private readonly recovery: IceRecovery;

  constructor(
    private readonly rpc: RequestChannel,
    private readonly selfId: string,
    private readonly ice: SfuIce,
    private readonly events: SfuSessionEvents,
  ) {
    this.firstPicture = new Promise((resolve) => (this.pictureArrived = resolve));
    this.recovery = new IceRecovery(rpc, ice, {
      closed: () => this.closed,
      restarting: (active) => events.restarting(active),
      failed: (reason) => this.fail(reason),
    });
  }

  /** Fresh TURN credentials for the transports' later ICE gathering. */
  updateIceServers(iceServers: RTCIceServer[]): void {
    for (const t of this.transports()) this.updateIceServersOf(t, iceServers);
  }

  /** Restarts ICE on every transport (what a `failed` transport does; on demand for tests). */
  restartIce(): void {
    for (const t of this.transports()) background(this.recovery.recover(t), 'sfu: ICE restart');
  }

  /** The send transport's stats (what the SFU reports back of our media), when we send. */
  async sendStats(): Promise<RTCStatsReport[]> {
    const t = this.sendTransport;
    return t && !t.closed ? [await t.getStats()] : [];
  }

  private transports(): Transport[] {
    return [this.sendTransport, this.recvTransport].filter((t) => t !== undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Loads the Device (usually loaded already, on the pre-join screen) while the server opens
   * our receive transport (a joiner has it from `joined`); then consumes what is there.
   */
  start(state: SfuState): Promise<void> {
    this.ready ??= (async () => {
      const [device, recv] = await Promise.all([
        loadSfuDevice(state.routerRtpCapabilities),
        state.recvTransport ?? this.requestTransport('recv'),
      ]);
      this.device = device;
      // The transport we connected on the pre-join screen, when the server made it ours.
      const warm = takeWarmTransport(recv.id);
      this.recvTransport = warm ? this.adoptTransport(warm) : this.openTransport(device, recv);
    })();
    // Made with our admission: taken as they are (the producers' loop below skips them).
    for (const c of state.consumers ?? []) this.consumed.add(c.producerId);
    for (const c of state.consumers ?? []) background(this.guarded(c, () => this.take(c, c.paused)), 'sfu: taking a consumer'); // prettier-ignore
    for (const p of state.producers) background(this.consume(p), 'sfu: consuming a producer');
    return this.ready;
  }

  /**
   * Resolves once a picture is arriving (the first video consumer's track unmutes: its first
   * packets), or after `ms`: a joiner produces only then, so its own encoder, SDP work and
   * producers on the server do not compete with the first picture it receives. A connected
   * receive transport is not enough: a warm one was connected before we even joined.
   */
  async receiving(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    const picture = (this.ready ?? Promise.resolve()).then(() => this.firstPicture);
    await Promise.race([picture, timeout]);
    clearTimeout(timer);
  }

  /** Sends one of our tracks (no new getUserMedia: the tracks we already have). */
  async produce(track: MediaStreamTrack, source: MediaSource): Promise<void> {
    await this.ready;
    const device = this.device;
    if (this.closed || this.producers.has(source) || !device) return;
    this.sendTransport ??= this.openTransport(device, await this.requestTransport('send'));
    const camera = source === 'camera';
    const vp8 = device.sendRtpCapabilities.codecs?.find(
      (c) => c.mimeType.toLowerCase() === 'video/vp8',
    );
    const producer = await this.sendTransport.produce({
      track,
      // The same tracks feed the mesh links during a switch: never stop them from here.
      stopTracks: false,
      appData: { source },
      ...(camera ? { encodings: cameraEncodings(track.getSettings().width ?? 0), codec: vp8 } : {}),
      ...(camera ? { codecOptions: { videoGoogleStartBitrate: START_BITRATE_KBPS } } : {}),
    });
    if (this.closed) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
  }

  /** Switches our camera's simulcast layers for `plan` (see sendPlan.ts); no camera: nothing. */
  async setSendPlan(plan: SendPlan): Promise<void> {
    const sender = this.producers.get('camera')?.rtpSender;
    if (sender && !this.closed) await applySendPlan(sender, plan);
  }

  hasProducer(source: MediaSource): boolean {
    return this.producers.has(source);
  }

  /** Sends `track` on the producer of `source` (if any, and if it sends another one). */
  async replaceTrack(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    const producer = this.producers.get(source);
    if (producer && producer.track !== track) await producer.replaceTrack({ track });
  }

  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.rpc.request({ type: 'sfu-close-producer', producerId: producer.id });
  }

  /** Consumes a producer of another peer (ours are skipped); resumes it once it exists here. */
  async consume(p: ProducerInfo): Promise<void> {
    if (p.peerId === this.selfId || this.consumed.has(p.producerId)) return;
    this.consumed.add(p.producerId);
    await this.guarded(p, async () => {
      await this.ready;
      if (this.closed || !this.recvTransport || !this.device) return;
      // Before our receive transport has started ICE, the server can send nothing yet and asks
      // for a keyframe once DTLS is up: the consumer may start running, which saves the resume
      // round trip on a joiner's first picture. Later ones start paused (see SfuRoom.consume).
      const running = this.recvTransport.connectionState === 'new';
      const reply = await this.rpc.request({
        type: 'sfu-consume',
        producerId: p.producerId,
        rtpCapabilities: this.device.recvRtpCapabilities as unknown as Record<string, unknown>,
        ...(running ? { paused: false } : {}),
      });
      await this.take(reply, !running);
    });
  }

  /** Runs the consuming of `p`; a failure forgets it, and fails the session unless it went away. */
  private async guarded(p: ProducerInfo, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.consumed.delete(p.producerId);
      // The producer went away meanwhile: not a failure of the session.
      if (err instanceof RequestError && GONE.has(err.code)) return;
      this.fail(`consume ${p.kind} of ${p.peerId}: ${String(err)}`);
    }
  }

  /**
   * Sets up our side of a consumer the server made (`paused` there or not), then pauses or
   * resumes it as its tile is shown; one whose tile has not reported yet stays as it is.
   */
  private async take(c: Omit<SfuConsumerInfo, 'paused'>, paused: boolean): Promise<void> {
    await this.ready;
    if (this.closed || !this.recvTransport) return;
    const consumer = await this.recvTransport.consume({
      id: c.consumerId,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as unknown as Consumer['rtpParameters'],
    });
    if (this.closed || !this.consumed.has(c.producerId)) {
      consumer.close();
      return;
    }
    this.lastPaused.set(consumer.id, paused);
    const info = this.addConsumer(consumer, c.peerId, c.source);
    // Held by the server only until our side exists (a warm transport): running, unless hidden.
    const wanted = this.events.paused(info) ?? (c.resume ? false : undefined);
    if (wanted !== undefined) await this.setPaused(consumer.id, wanted);
  }

  private addConsumer(consumer: Consumer, peerId: string, source: MediaSource): SfuTrack {
    const info: SfuTrack = {
      consumerId: consumer.id,
      producerId: consumer.producerId,
      peerId,
      kind: consumer.kind,
      source,
      track: consumer.track,
      stats: () => consumer.getStats(),
    };
    const spatialLayers = spatialLayersOf(consumer.rtpParameters);
    this.consumers.set(consumer.id, { consumer, info, spatialLayers });
    this.watchForPicture(consumer.track);
    this.events.track(info);
    return info;
  }

  /** A remote video track is muted until its first packets arrive (see `receiving`). */
  private watchForPicture(track: MediaStreamTrack): void {
    if (track.kind !== 'video') return;
    if (!track.muted) this.pictureArrived();
    else track.addEventListener('unmute', this.pictureArrived, { once: true });
  }

  /** The producer went away (its peer stopped it or left). */
  onProducerClosed(producerId: string): void {
    this.consumed.delete(producerId);
    for (const [id, c] of this.consumers) {
      if (c.info.producerId === producerId) this.dropConsumer(id);
    }
  }

  onConsumerClosed(consumerId: string): void {
    const c = this.consumers.get(consumerId);
    if (c) this.consumed.delete(c.info.producerId);
    this.dropConsumer(consumerId);
  }

  /** Closes our consumers of one peer (the tiles moved back to the mesh). */
  dropPeer(peerId: string): void {
    for (const [id, c] of this.consumers) if (c.info.peerId === peerId) this.dropConsumer(id);
  }

  videoConsumers(): SfuTrack[] {
    return [...this.consumers.values()].map((c) => c.info).filter((i) => i.kind === 'video');
  }

  /** Server-side pause/resume (no bytes for tiles nobody sees); deduplicated. */
  async setPaused(consumerId: string, paused: boolean): Promise<void> {
    if (this.closed || this.lastPaused.get(consumerId) === paused) return;
    this.lastPaused.set(consumerId, paused);
    await this.rpc.request({ type: 'sfu-consumer-pause', consumerId, paused });
  }

  /** Asks for a simulcast layer (clamped to what the producer sends; none when it is one). */
  async setLayer(consumerId: string, wanted: number): Promise<void> {
    const layers = this.consumers.get(consumerId)?.spatialLayers ?? 1;
    const spatialLayer = Math.min(wanted, layers - 1);
    if (this.closed || layers < 2 || this.lastLayer.get(consumerId) === spatialLayer) return;
    this.lastLayer.set(consumerId, spatialLayer);
    await this.rpc.request({ type: 'sfu-layers', consumerId, spatialLayer });
  }

  /**
   * Idempotent: closes transports (and with them producers and consumers). `tellServer`
   * closes our producers on the server too (a retry must not leave duplicates behind); the
   * protocol has no request to close a transport, so those stay until we leave.
   */
  close(tellServer = false): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.consumers.keys()]) this.dropConsumer(id);
    for (const producer of this.producers.values()) {
      if (!tellServer) continue;
      this.rpc
        .request({ type: 'sfu-close-producer', producerId: producer.id })
        .catch((err: unknown) => log.warn('sfu: closing a producer failed', err));
    }
    this.producers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
  }

  /**
   * The server rebuilt the SFU side (its worker died): our transports lead nowhere. Forget
   * the consumers at once (so fresh ones take their tiles) but keep their tracks open, which
   * freezes each tile on its last frame instead of ending the track; close it all later.
   */
  abandon(lingerMs: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, c] of [...this.consumers]) {
      this.consumers.delete(id);
      this.events.trackGone(id);
      setTimeout(() => c.consumer.close(), lingerMs);
    }
    this.producers.clear();
    setTimeout(() => {
      this.sendTransport?.close();
      this.recvTransport?.close();
    }, lingerMs);
  }

  private dropConsumer(consumerId: string): void {
    const c = this.consumers.get(consumerId);
    if (!c) return;
    this.consumers.delete(consumerId);
    this.lastPaused.delete(consumerId);
    this.lastLayer.delete(consumerId);
    c.consumer.close();
    this.events.trackGone(consumerId);
  }

  private fail(reason: string): void {
    if (this.closed) return;
    log.warn('sfu:', reason);
    this.events.failed(reason);
  }

  private requestTransport(direction: 'send' | 'recv') {
    return this.rpc.request({ type: 'sfu-transport', direction });
  }

  /** A transport connected before we joined (warmTransport.ts), now with our ICE servers. */
  private adoptTransport(transport: Transport): Transport {
    const { iceServers } = this.ice.config();
    if (iceServers) this.updateIceServersOf(transport, iceServers);
    this.watchIce(transport);
    return transport;
  }

  private openTransport(device: Device, reply: SfuTransport): Transport {
    const transport = createTransport(device, reply, this.ice.config());
    transport.on('connect', ({ dtlsParameters }, done) => {
      // DTLS can only start after ICE, and ICE only after mediasoup-client applies the SDP it
      // holds until `done()`: the server has our parameters long before its first DTLS packet.
      // So we go on at once instead of after a round trip; a refusal fails the session.
      this.rpc
        .request({
          type: 'sfu-connect',
          transportId: transport.id,
          dtlsParameters: dtlsOf(dtlsParameters),
        })
        .catch((err: unknown) => this.fail(`${reply.direction} transport: ${String(err)}`));
      done();
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      this.rpc
        .request({
          type: 'sfu-produce',
          transportId: transport.id,
          kind,
          rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          source: appData.source as MediaSource,
        })
        .then((r) => done({ id: r.producerId }), fail);
    });
    this.watchIce(transport);
    return transport;
  }

  private watchIce(transport: Transport): void {
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') background(this.recovery.recover(transport), 'sfu: ICE restart');
    });
  }

  private updateIceServersOf(transport: Transport, iceServers: RTCIceServer[]): void {
    transport.updateIceServers({ iceServers }).catch((err: unknown) => log.warn('sfu: ICE', err));
  }
}
