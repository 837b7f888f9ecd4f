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
import { SfuError, toSfuError } from './errors.ts';
import { ACTIVE_SPEAKER_INTERVAL_MS } from './mediaCodecs.ts';
import { TypedEmitter } from './typedEmitter.ts';
import { openPlainConsumer, openPlainIngest } from './plainRtp.ts';
import { PeerObjects } from './peerObjects.ts';
import { ActiveSpeaker } from './activeSpeaker.ts';
import { ChannelBus } from './channelBus.ts';
import { RoomConsumers } from './roomConsumers.ts';
import { forMediasoup, type RoomScope } from './roomScope.ts';
import { RoomTransports } from './roomTransports.ts';

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
  private readonly transports: RoomTransports;
  private readonly consumers: RoomConsumers;
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
    const scope: RoomScope = {
      router: this.router,
      objects: this.objects,
      events: this.events,
      isQuiet: () => this.quiet,
      assertOpen: () => this.assertOpen(),
    };
    this.transports = new RoomTransports(scope, init.webRtcServer);
    this.consumers = new RoomConsumers(scope);
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
  createTransport(peerId: string, direction: Direction): Promise<TransportInfo> {
    return this.transports.create(peerId, direction);
  }

  /**
   * A receive transport for a socket that has not joined yet (`owner`: a key of its own, never
   * a peer id), with SCTP and a data consumer of the room's idle channel: the browser connects
   * it (ICE, DTLS) on the pre-join screen and adopts it when admitted (adoptWarmTransport). It
   * carries no media before that. At most MAX_WARM_TRANSPORTS in a room; a new one of the same
   * owner replaces the old; `removePeer(owner)` closes it.
   */
  openWarmTransport(owner: string): Promise<WarmTransportInfo> {
    return this.transports.openWarm(owner);
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
    return this.transports.adoptWarm(owner, peerId, transportId);
  }

  /** New ICE credentials for a transport whose connectivity failed (the client restarts ICE). */
  restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>> {
    return this.transports.restartIce(peerId, transportId);
  }

  connectTransport(
    peerId: string,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    return this.transports.connect(peerId, transportId, dtlsParameters);
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
  consume(
    peerId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
    paused = true,
  ): Promise<ConsumerInfo> {
    return this.consumers.consume(peerId, producerId, rtpCapabilities, paused);
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
          this.consumers.consumeOnRecv(peerId, producer, caps, paused),
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
  setConsumerPaused(peerId: string, consumerId: string, paused: boolean): Promise<void> {
    return this.consumers.setPaused(peerId, consumerId, paused);
  }

  /** Picks the simulcast layer (0 = lowest) a video consumer forwards, at full frame rate. */
  setPreferredLayers(peerId: string, consumerId: string, spatialLayer: number): Promise<void> {
    return this.consumers.setPreferredLayers(peerId, consumerId, spatialLayer);
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

  private assertOpen(): void {
    if (this.isClosed) throw new SfuError('CLOSED', `room ${this.id} is closed`);
  }

  /** The room's objects, once it is known to be open. */
  private get owned(): PeerObjects {
    this.assertOpen();
    return this.objects;
  }
}
