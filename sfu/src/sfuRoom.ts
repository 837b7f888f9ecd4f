import type { MediaSource } from '@parley/protocol';
import type { types } from 'mediasoup';
import type {
  ChannelBusOptions,
  ConsumerInfo,
  Direction,
  Kind,
  PlainConsumer,
  PlainConsumerOptions,
  PlainIngestInfo,
  ProducerSummary,
  SfuLog,
  SfuRoomEvents,
  TransportInfo,
  WarmTransportInfo,
} from './api.ts';
import { MAX_WARM_TRANSPORTS, openIdleChannel } from './warm.ts';
import { SfuError, toSfuError } from './errors.ts';
import { ACTIVE_SPEAKER_INTERVAL_MS, INITIAL_OUTGOING_BITRATE } from './mediaCodecs.ts';
import { TypedEmitter } from './typedEmitter.ts';
import { openPlainConsumer, openPlainIngest } from './plainRtp.ts';
import { PeerObjects } from './peerObjects.ts';
import { ActiveSpeaker } from './activeSpeaker.ts';
import { ChannelBus } from './channelBus.ts';
import { watchLayerFit } from './layerFit.ts';

/** What `Sfu` hands a room it opens. */
export interface SfuRoomInit {
  roomId: string;
  worker: types.Worker;
  router: types.Router;
  webRtcServer: types.WebRtcServer;
  log: SfuLog;
  /** Called once, when the room is closed for any reason. */
  onClose: (room: SfuRoom) => void;
}

const AUDIO_SOURCES: ReadonlySet<MediaSource> = new Set(['mic', 'screen-audio']);

/**
 * mediasoup validates these objects itself (ortc.validate* and the worker) and throws a
 * TypeError for a bad one, which we turn into REJECTED; protocol/ has checked their shape and
 * size at the socket edge. So this is the one place wire objects are handed on unparsed.
 */
function forMediasoup<T>(value: Record<string, unknown>): T {
  return value as T;
}

/**
 * One meeting's SFU side: a mediasoup router with its transports, producers, consumers and an
 * active-speaker observer. Every method takes the caller's peer id and only touches that
 * peer's objects: another peer's (or an unknown) id is NOT_FOUND. Create through `Sfu.createRoom`.
 *
 * Closing: `close()` closes the router, mediasoup cascades to every child, and each map entry
 * is removed in that child's close handler. A room-wide close emits no per-object events;
 * a dead worker closes the room and emits 'worker-died' once.
 */
export class SfuRoom {
  readonly id: string;
  private readonly worker: types.Worker;
  private readonly router: types.Router;
  private readonly webRtcServer: types.WebRtcServer;
  private readonly log: SfuLog;
  private readonly onClose: (room: SfuRoom) => void;
  private readonly events: TypedEmitter<SfuRoomEvents>;
  private readonly objects = new PeerObjects();
  /** Plain ingest transports (createPlainProducer), with the peer they belong to. */
  private readonly plainIngests = new Map<
    string,
    { transport: types.PlainTransport; peerId: string }
  >();
  private readonly speaker: ActiveSpeaker;
  /** The idle channel warm transports consume (opened with the first one). */
  private idle: Promise<types.DataProducer> | undefined;
  /** Warm transports being opened (openWarmTransport awaits the worker): they count too. */
  private warmOpening = 0;
  private isClosed = false;

  /** @internal Opens the room's active-speaker observer on an existing router. */
  static async create(init: SfuRoomInit): Promise<SfuRoom> {
    const speakers = await init.router.createActiveSpeakerObserver({
      interval: ACTIVE_SPEAKER_INTERVAL_MS,
    });
    return new SfuRoom(init, speakers);
  }

  private constructor(init: SfuRoomInit, speakers: types.ActiveSpeakerObserver) {
    this.id = init.roomId;
    this.worker = init.worker;
    this.router = init.router;
    this.webRtcServer = init.webRtcServer;
    this.log = init.log;
    this.onClose = init.onClose;
    this.events = new TypedEmitter<SfuRoomEvents>((event, error) =>
      this.log.error('sfu room listener threw', { roomId: this.id, event, error: String(error) }),
    );
    // Router.workerClosed() sets worker.died before it closes the routers, so this tells a
    // crash from an orderly Sfu.close() (which closes rooms before workers anyway).
    this.router.on('workerclose', () => this.onRouterClosed(this.worker.died));
    this.router.observer.once('close', () => this.onRouterClosed(false));
    this.speaker = new ActiveSpeaker(speakers, this.log, this.id);
    this.speaker.onDominant(
      (producerId) => this.speakingPeer(producerId),
      (peerId) => this.events.emit('active-speaker', peerId),
    );
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Pid of the mediasoup worker process this room's router lives in. */
  get workerPid(): number {
    return this.worker.pid;
  }

  get rtpCapabilities(): Record<string, unknown> {
    return this.router.rtpCapabilities;
  }

  on<E extends keyof SfuRoomEvents>(event: E, listener: SfuRoomEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof SfuRoomEvents>(event: E, listener: SfuRoomEvents[E]): void {
    this.events.off(event, listener);
  }

  /**
   * A WebRtcTransport on the worker's WebRtcServer; one per peer and direction. A new request
   * replaces the peer's transport of that direction, closing it with its producers (others
   * are told) or consumers: a client whose SFU side failed, or that closed it when the room
   * went back to the mesh (the router outlives that by a grace), starts over. The newest wins.
   */
  async createTransport(peerId: string, direction: Direction): Promise<TransportInfo> {
    const transport = await this.openWebRtcTransport(peerId, direction, false);
    return transportInfo(transport, direction);
  }

  /**
   * A receive transport for a socket that has not joined yet (`owner`: a key of its own, never
   * a peer id), with SCTP and a data consumer of the room's idle channel: the browser connects
   * it (ICE, DTLS) on the pre-join screen and adopts it when admitted (adoptWarmTransport). It
   * carries no media before that. At most MAX_WARM_TRANSPORTS in a room; a new one of the same
   * owner replaces the old; `removePeer(owner)` closes it.
   */
  async openWarmTransport(owner: string): Promise<WarmTransportInfo> {
    // Those being opened count too: concurrent requests cannot pass the limit together.
    const warm = [...this.objects.transports.values()].filter((e) => e.warm).length;
    if (warm + this.warmOpening >= MAX_WARM_TRANSPORTS) {
      const held = warm + this.warmOpening;
      throw new SfuError('REJECTED', `the room has ${held} transports waiting for their joiners`);
    }
    this.warmOpening += 1;
    let transport: types.WebRtcTransport;
    let dataConsumer: types.DataConsumer;
    try {
      transport = await this.openWebRtcTransport(owner, 'recv', true);
      try {
        this.idle ??= openIdleChannel(this.router);
        dataConsumer = await transport.consumeData({ dataProducerId: (await this.idle).id });
      } catch (error) {
        transport.close();
        throw toSfuError(error, 'REJECTED');
      }
    } finally {
      this.warmOpening -= 1;
    }
    return {
      ...transportInfo(transport, 'recv'),
      sctpParameters: transport.sctpParameters as unknown as Record<string, unknown>,
      dataConsumer: {
        id: dataConsumer.id,
        dataProducerId: dataConsumer.dataProducerId,
        sctpStreamParameters: (dataConsumer.sctpStreamParameters ?? {}) as Record<string, unknown>,
        label: dataConsumer.label,
        protocol: dataConsumer.protocol,
      },
    };
  }

  /**
   * The owner was admitted as `peerId`: its warm transport becomes the peer's receive
   * transport (replacing one it had). `connected`: DTLS is up, so media sent on it now reaches
   * the browser at once (consumers are best made paused until the browser has their track).
   */
  adoptWarmTransport(
    owner: string,
    peerId: string,
    transportId: string,
  ): { transport: TransportInfo; connected: boolean } {
    const entry = this.owned.transport(owner, transportId);
    if (!entry.warm || entry.transport.closed) {
      throw new SfuError('NOT_FOUND', `transport ${transportId} not found`);
    }
    const previous = this.objects.findTransport(peerId, 'recv');
    if (previous && previous !== entry) previous.transport.close();
    entry.peerId = peerId;
    entry.warm = false;
    const connected = entry.transport.dtlsState === 'connected';
    return { transport: transportInfo(entry.transport, 'recv'), connected };
  }

  /** A WebRtcTransport on the worker's WebRtcServer, booked as `peerId`'s (see createTransport). */
  private async openWebRtcTransport(
    peerId: string,
    direction: Direction,
    warm: boolean,
  ): Promise<types.WebRtcTransport> {
    this.assertOpen();
    const transport = await this.router
      .createWebRtcTransport({
        webRtcServer: this.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
        ...(warm ? { enableSctp: true } : {}),
        appData: { peerId, direction },
      })
      .catch((error: unknown) => {
        // The worker died meanwhile (CLOSED), or refused (REJECTED).
        throw toSfuError(error, 'REJECTED');
      });
    // Re-check: the room may have closed while we awaited.
    try {
      this.assertOpen();
    } catch (error) {
      transport.close();
      throw error;
    }
    this.objects.findTransport(peerId, direction)?.transport.close();
    this.objects.transports.set(transport.id, { transport, peerId, direction, warm });
    transport.observer.once('close', () => this.objects.transports.delete(transport.id));
    return transport;
  }

  /** New ICE credentials for a transport whose connectivity failed (the client restarts ICE). */
  async restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>> {
    const { transport } = this.owned.transport(peerId, transportId);
    try {
      return (await transport.restartIce()) as unknown as Record<string, unknown>;
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  async connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    const { transport } = this.owned.transport(peerId, transportId);
    try {
      await transport.connect({
        dtlsParameters: forMediasoup<types.DtlsParameters>(dtlsParameters),
      });
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  /**
   * Starts receiving a track from a peer; emits 'producer-added'. Returns the producer id.
   * `paused`: held server side from the start (its peer is muted by a host), see setPaused.
   */
  async produce(
    peerId: string,
    transportId: string,
    media: {
      kind: Kind;
      rtpParameters: Record<string, unknown>;
      source: MediaSource;
      paused?: boolean;
    },
  ): Promise<string> {
    const { transport, direction } = this.owned.transport(peerId, transportId);
    if (direction !== 'send') throw new SfuError('REJECTED', 'produce needs a send transport');
    if (AUDIO_SOURCES.has(media.source) !== (media.kind === 'audio')) {
      throw new SfuError('REJECTED', `source ${media.source} cannot be ${media.kind}`);
    }
    let producer: types.Producer;
    try {
      producer = await transport.produce({
        kind: media.kind,
        rtpParameters: forMediasoup<types.RtpParameters>(media.rtpParameters),
        appData: { peerId, source: media.source },
        paused: media.paused ?? false,
      });
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
    if (producer.closed) throw new SfuError('CLOSED', 'transport closed while producing');
    await this.addProducer(producer, peerId, media.source);
    return producer.id;
  }

  /** Books a new producer: speaker observation for audio, then 'producer-added'. */
  private async addProducer(
    producer: types.Producer,
    peerId: string,
    source: MediaSource,
  ): Promise<void> {
    const summary: ProducerSummary = {
      producerId: producer.id,
      peerId,
      kind: producer.kind,
      source,
    };
    this.objects.producers.set(producer.id, { producer, summary });
    producer.observer.once('close', () => this.onProducerClosed(summary));
    if (producer.kind === 'audio') await this.speaker.observe(producer);
    if (producer.closed) throw new SfuError('CLOSED', 'producer closed while starting');
    this.events.emit('producer-added', { ...summary });
  }

  /**
   * A producer fed with plain RTP (no browser): a comedia PlainTransport on 127.0.0.1 that
   * takes the first sender as its peer. For tests and tools (an FFmpeg test pattern, a file).
   * It belongs to `peerId` like any other producer: 'producer-added', removePeer, closeProducer.
   */
  async createPlainProducer(
    peerId: string,
    media: { kind: Kind; rtpParameters: Record<string, unknown>; source: MediaSource },
  ): Promise<PlainIngestInfo> {
    this.assertOpen();
    if (AUDIO_SOURCES.has(media.source) !== (media.kind === 'audio')) {
      throw new SfuError('REJECTED', `source ${media.source} cannot be ${media.kind}`);
    }
    const { transport, producer, info } = await openPlainIngest(this.router, {
      kind: media.kind,
      rtpParameters: media.rtpParameters,
      appData: { peerId, source: media.source },
    });
    this.plainIngests.set(transport.id, { transport, peerId });
    transport.observer.once('close', () => this.plainIngests.delete(transport.id));
    await this.addProducer(producer, peerId, media.source);
    return info;
  }

  /**
   * Forwards any producer of the room as plain RTP to a local receiver (the HLS gateway's
   * FFmpeg); see PlainConsumerOptions. Simulcast producers are forwarded at their top layer.
   * The returned consumer emits 'closed' when its producer or the room goes away.
   */
  async createPlainConsumer(options: PlainConsumerOptions): Promise<PlainConsumer> {
    this.assertOpen();
    const entry = this.objects.producers.get(options.producerId);
    if (!entry) throw new SfuError('NOT_FOUND', `producer ${options.producerId} not found`);
    const consumer = await openPlainConsumer(this.router, entry.producer, options, this.log);
    if (consumer.closed) throw new SfuError('CLOSED', 'consumer closed while starting');
    return consumer;
  }

  /**
   * Pauses (or resumes) every producer of `peerId` from one of `sources`, on the server: none
   * of its consumers, WebRTC or plain (the broadcast), gets a packet of it until it is resumed
   * here. A host mute; a client that resumes its own producer changes nothing. Producers
   * already in that state are left alone.
   */
  async setPaused(peerId: string, sources: readonly MediaSource[], paused: boolean): Promise<void> {
    const entries = [...this.objects.producers.values()].filter(
      (e) =>
        e.summary.peerId === peerId &&
        sources.includes(e.summary.source) &&
        !e.producer.closed &&
        e.producer.paused !== paused,
    );
    await Promise.all(entries.map((e) => (paused ? e.producer.pause() : e.producer.resume())));
  }

  /** Whether a producer is paused on the server (setPaused); false for an unknown one. */
  isPaused(producerId: string): boolean {
    return this.objects.producers.get(producerId)?.producer.paused ?? false;
  }

  /** Stops one of the peer's own producers; emits 'producer-closed'. */
  closeProducer(peerId: string, producerId: string): void {
    this.owned.producer(peerId, producerId).producer.close();
  }

  /**
   * Forwards another peer's producer to this peer's recv transport, by default paused: the
   * client resumes it once its own consumer is set up, so no keyframe is lost to the void.
   * `paused: false` saves that round trip where nothing can be lost: on a recv transport not
   * yet connected, mediasoup sends nothing until DTLS is up and then asks for a keyframe.
   */
  async consume(
    peerId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
    paused = true,
  ): Promise<ConsumerInfo> {
    this.assertOpen();
    const source = this.objects.producers.get(producerId);
    if (!source) throw new SfuError('NOT_FOUND', `producer ${producerId} not found`);
    if (source.summary.peerId === peerId) {
      throw new SfuError('REJECTED', 'a peer cannot consume its own producer');
    }
    const consumer = await this.consumeOnRecv(peerId, source.producer, rtpCapabilities, paused);
    const { summary } = source;
    return {
      consumerId: consumer.id,
      producerId,
      peerId: summary.peerId,
      kind: summary.kind,
      source: summary.source,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /**
   * Forwards `producer` to the peer's recv transport and books the consumer as the peer's
   * (setConsumerPaused, 'consumer-closed'): a peer's producer (consume) or a channel's
   * (ChannelBus.consumeChannel).
   */
  private async consumeOnRecv(
    peerId: string,
    producer: types.Producer,
    rtpCapabilities: Record<string, unknown>,
    paused: boolean,
  ): Promise<types.Consumer> {
    const recv = this.objects.findTransport(peerId, 'recv');
    if (!recv) throw new SfuError('NOT_FOUND', 'peer has no recv transport');
    const caps = forMediasoup<types.RtpCapabilities>(rtpCapabilities);
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
      throw new SfuError('CANNOT_CONSUME', `cannot consume ${producer.kind} producer`);
    }
    let consumer: types.Consumer;
    try {
      consumer = await recv.transport.consume({
        producerId: producer.id,
        rtpCapabilities: caps,
        paused,
        preferredLayers: highestLayers(producer),
      });
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
    if (consumer.closed) throw new SfuError('CLOSED', 'consumer closed while starting');
    this.trackConsumer(peerId, consumer);
    return consumer;
  }

  /**
   * Opens a walkie-talkie channel bus on this room's router (issue #16; see ChannelBus). Its
   * listeners' consumers are booked here like any other; it closes with the room.
   */
  async openChannelBus(options: ChannelBusOptions = {}): Promise<ChannelBus> {
    this.assertOpen();
    return ChannelBus.open(
      this.router,
      {
        log: this.log,
        micProducer: (peerId) => this.objects.findProducer(peerId, 'mic')?.producer,
        consume: (peerId, producer, caps, paused) =>
          this.consumeOnRecv(peerId, producer, caps, paused),
        onMicAdded: (listener) => {
          const onAdded = (p: ProducerSummary): void => {
            if (p.source === 'mic') listener(p.peerId);
          };
          this.events.on('producer-added', onAdded);
          return () => this.events.off('producer-added', onAdded);
        },
      },
      options,
    );
  }

  /** Pauses or resumes one of the peer's consumers; a resumed video asks for a keyframe. */
  async setConsumerPaused(peerId: string, consumerId: string, paused: boolean): Promise<void> {
    const { consumer, kind } = this.owned.consumer(peerId, consumerId);
    try {
      if (paused) {
        await consumer.pause();
        return;
      }
      await consumer.resume();
      if (kind === 'video') await consumer.requestKeyFrame();
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  /** Picks the simulcast layer (0 = lowest) a video consumer forwards, at full frame rate. */
  async setPreferredLayers(
    peerId: string,
    consumerId: string,
    spatialLayer: number,
  ): Promise<void> {
    const { consumer, kind } = this.owned.consumer(peerId, consumerId);
    if (kind !== 'video') throw new SfuError('REJECTED', 'layers apply to video only');
    try {
      await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
      await consumer.requestKeyFrame();
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  producers(): ProducerSummary[] {
    return [...this.objects.producers.values()].map(({ summary }) => ({ ...summary }));
  }

  /** What one peer holds here (its transports' directions, its producers' sources, consumers). */
  heldBy(peerId: string): { transports: Direction[]; sources: MediaSource[]; consumers: number } {
    const { transports, producers, consumers } = this.objects;
    const mine = <T>(entries: Iterable<T>, owner: (e: T) => string) =>
      [...entries].filter((e) => owner(e) === peerId);
    return {
      transports: mine(transports.values(), (t) => t.peerId).map((t) => t.direction),
      sources: mine(producers.values(), (p) => p.summary.peerId).map((p) => p.summary.source),
      consumers: mine(consumers.values(), (c) => c.peerId).length,
    };
  }

  /**
   * Closes the peer's transports; mediasoup closes their producers and consumers, and the
   * close handlers emit 'producer-closed' for each of its producers.
   */
  removePeer(peerId: string): void {
    for (const entry of [...this.objects.transports.values()]) {
      if (entry.peerId === peerId) entry.transport.close();
    }
    for (const entry of [...this.plainIngests.values()]) {
      if (entry.peerId === peerId) entry.transport.close();
    }
  }

  /** Idempotent. Closes the router (and with it everything in the room). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.router.close();
    this.finishClose();
  }

  dump(): Promise<unknown> {
    return this.router.dump();
  }

  private onRouterClosed(workerDied: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.finishClose();
    if (workerDied) {
      this.log.error('sfu room lost its worker', { roomId: this.id, pid: this.worker.pid });
      this.events.emit('worker-died');
    }
  }

  private finishClose(): void {
    this.speaker.reset();
    this.onClose(this);
  }

  /** The peer of a producer the speaker observer named, unless the room is going away. */
  private speakingPeer(producerId: string): string | undefined {
    return this.quiet ? undefined : this.objects.producers.get(producerId)?.summary.peerId;
  }

  /** True while the room itself is going away: its children's closes are not news. */
  private get quiet(): boolean {
    return this.isClosed || this.router.closed;
  }

  private onProducerClosed(summary: ProducerSummary): void {
    this.objects.producers.delete(summary.producerId);
    if (this.quiet) return;
    if (this.speaker.closed(summary.producerId)) this.events.emit('active-speaker', null);
    this.events.emit('producer-closed', { ...summary });
  }

  private trackConsumer(peerId: string, consumer: types.Consumer): void {
    this.objects.consumers.set(consumer.id, { consumer, peerId, kind: consumer.kind });
    watchLayerFit(consumer, (lowered) => {
      if (!this.quiet) this.events.emit('consumer-lowered', peerId, consumer.id, lowered);
    });
    // 'producerclose' is news for the consuming peer; 'transportclose' is that peer leaving.
    consumer.on('producerclose', () => {
      this.objects.consumers.delete(consumer.id);
      if (!this.quiet) this.events.emit('consumer-closed', peerId, consumer.id);
    });
    consumer.observer.once('close', () => this.objects.consumers.delete(consumer.id));
  }

  private assertOpen(): void {
    if (this.isClosed) throw new SfuError('CLOSED', `room ${this.id} is closed`);
  }

  /** The room's objects, once it is known to be open. */
  private get owned(): PeerObjects {
    this.assertOpen();
    return this.objects;
  }
}

/** What a client needs to set up its side of a transport. */
function transportInfo(transport: types.WebRtcTransport, direction: Direction): TransportInfo {
  return {
    id: transport.id,
    direction,
    iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
    iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
    dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
  };
}

/** Simulcast: start on the top layer (mediasoup then steps down as bandwidth requires). */
function highestLayers(producer: types.Producer): types.ConsumerLayers | undefined {
  if (producer.type !== 'simulcast') return undefined;
  const layers = producer.rtpParameters.encodings?.length ?? 1;
  return { spatialLayer: layers - 1 };
}
