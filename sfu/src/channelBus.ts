// Walkie-talkie channels (issue #16): listeners consume channels, not people. Each channel is
// one producer on a DirectTransport, fed by whoever holds its floor; see ChannelBus.

import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type {
  ChannelBusOptions,
  ChannelConsumerInfo,
  ChannelStats,
  PlainConsumer,
  PlainConsumerOptions,
  SfuLog,
} from './api.ts';
import { ChannelStream } from './channelStream.ts';
import { SfuError, toSfuError } from './errors.ts';
import { openPlainConsumer, plainReceiverCapabilities } from './plainRtp.ts';

export const DEFAULT_MAX_CHANNELS = 32;

/** What a bus needs of its room (SfuRoom.openChannelBus provides it). */
export interface ChannelBusHost {
  log: SfuLog;
  /** The peer's open microphone producer, if it has one now. */
  micProducer(peerId: string): types.Producer | undefined;
  /** Consumes `producer` on the peer's recv transport, booked like SfuRoom.consume's. */
  consume(
    peerId: string,
    producer: types.Producer,
    rtpCapabilities: Record<string, unknown>,
    paused: boolean,
  ): Promise<types.Consumer>;
  /** Calls `listener` with the peer of each new mic producer; returns the unsubscribe. */
  onMicAdded(listener: (peerId: string) => void): () => void;
}

interface Channel {
  id: string;
  producer: types.Producer;
  stream: ChannelStream;
  talker: string | null;
  /** Listeners' consumers, by peer id; removed by each consumer's close handler. */
  listeners: Map<string, types.Consumer>;
  stats: Omit<ChannelStats, 'listeners'>;
}

/**
 * The bus's consumer of one member's mic. One per member, not per channel: a member's packets
 * cross the worker-to-Node pipe once, whichever channel they go to. Kept between turns (a
 * granted floor forwards without waiting for a new consumer; the mic is paused server side
 * meanwhile, so an idle one costs nothing); closed when the mic closes (the member left or
 * replaced it), when no open channel it talked on is left, or with the bus.
 */
interface Talk {
  peerId: string;
  consumer: types.Consumer | undefined;
  /** While the consumer is being made. */
  attaching: Promise<void> | undefined;
  /** The channels it talked on since its consumer was made: where its packets may go. */
  channels: Set<Channel>;
}

/**
 * Floor-controlled talkers in, one continuous Opus stream per channel out. The server decides
 * who holds each floor (floor control lives in signaling) and says so with setTalker; it also
 * keeps every mic producer paused unless its member holds a floor (SfuRoom.setPaused): the bus
 * drops a non-talker's packets anyway, so the pause only saves the work.
 *
 * Closing: `close()` closes the DirectTransport, which closes the channel producers (and with
 * them the listeners' consumers, which their room reports as 'consumer-closed') and the mic
 * consumers. The room closing closes the bus the same way.
 */
export class ChannelBus {
  private readonly channelMap = new Map<string, Channel>();
  /** Ids being added: reserved, so two adds of one id (or past the limit) cannot both succeed. */
  private readonly adding = new Set<string>();
  private readonly talks = new Map<string, Talk>();
  /** Listeners being subscribed, as `peerId\nchannelId`. */
  private readonly subscribing = new Set<string>();
  private readonly maxChannels: number;
  private readonly opus: types.RtpCodecCapability;
  private readonly unsubscribe: () => void;
  private isClosed = false;

  /** @internal Opens the bus's DirectTransport on `router`; see SfuRoom.openChannelBus. */
  static async open(
    router: types.Router,
    host: ChannelBusHost,
    options: ChannelBusOptions = {},
  ): Promise<ChannelBus> {
    const maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS;
    if (!Number.isInteger(maxChannels) || maxChannels < 1) {
      throw new SfuError('REJECTED', `maxChannels must be a positive integer, got ${maxChannels}`);
    }
    const opus = router.rtpCapabilities.codecs?.find(
      (c) => c.mimeType.toLowerCase() === 'audio/opus',
    );
    if (!opus) throw new SfuError('REJECTED', 'a channel bus needs a router with Opus');
    let transport: types.DirectTransport;
    try {
      transport = await router.createDirectTransport({
        // mediasoup's default; its typings make it required.
        maxMessageSize: 262_144,
        appData: { channelBus: true },
      });
    } catch (error) {
      throw toSfuError(error, 'CLOSED');
    }
    return new ChannelBus(router, transport, host, maxChannels, opus);
  }

  private constructor(
    private readonly router: types.Router,
    private readonly transport: types.DirectTransport,
    private readonly host: ChannelBusHost,
    maxChannels: number,
    opus: types.RtpCodecCapability,
  ) {
    this.maxChannels = maxChannels;
    this.opus = opus;
    this.unsubscribe = host.onMicAdded((peerId) => this.onMicAdded(peerId));
    transport.observer.once('close', () => this.close());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Ids of the open channels, in the order they were added. */
  channels(): string[] {
    return [...this.channelMap.keys()];
  }

  /** Opens a channel with no talker. REJECTED for an id in use or past maxChannels. */
  async addChannel(channelId: string): Promise<void> {
    this.assertOpen();
    if (this.channelMap.has(channelId) || this.adding.has(channelId)) {
      throw new SfuError('REJECTED', `channel ${channelId} exists`);
    }
    if (this.channelMap.size + this.adding.size >= this.maxChannels) {
      throw new SfuError('REJECTED', `at most ${this.maxChannels} channels`);
    }
    this.adding.add(channelId);
    try {
      const stream = new ChannelStream({
        ssrc: this.freeSsrc(),
        payloadType: this.opus.preferredPayloadType ?? 100,
        clockRate: this.opus.clockRate,
      });
      const producer = await this.transport.produce({
        kind: 'audio',
        rtpParameters: this.channelRtpParameters(channelId, stream.ssrc),
        appData: { channelId },
      });
      // The bus may have closed while we awaited (its transport took the producer along).
      if (producer.closed || this.isClosed) throw new SfuError('CLOSED', 'channel bus is closed');
      const channel: Channel = {
        id: channelId,
        producer,
        stream,
        talker: null,
        listeners: new Map(),
        stats: { forwardedPackets: 0, forwardedBytes: 0, droppedPackets: 0, stalePackets: 0 },
      };
      this.channelMap.set(channelId, channel);
      producer.observer.once('close', () => this.forgetChannel(channel));
    } catch (error) {
      throw toSfuError(error, 'CLOSED');
    } finally {
      this.adding.delete(channelId);
    }
  }

  /** Closes a channel: its listeners' consumers close, its talker's mic is let go. */
  removeChannel(channelId: string): void {
    this.channel(channelId).producer.close();
  }

  /** Who holds the channel's floor, or null. */
  talker(channelId: string): string | null {
    return this.channel(channelId).talker;
  }

  /**
   * Gives the channel's floor to `peerId` (null: nobody). From this call on, the previous
   * talker's packets are dropped here at once, even those already on their way. Resolves when
   * the new talker's mic is being forwarded, or at once if it has no mic producer yet: the
   * bus starts forwarding when one appears (a client that restarted its send side).
   */
  async setTalker(channelId: string, peerId: string | null): Promise<void> {
    const channel = this.channel(channelId);
    if (channel.talker === peerId) return;
    channel.talker = peerId;
    channel.stream.newTurn();
    if (peerId === null) return;
    let talk = this.talks.get(peerId);
    if (!talk) {
      talk = { peerId, consumer: undefined, attaching: undefined, channels: new Set() };
      this.talks.set(peerId, talk);
    }
    talk.channels.add(channel);
    await this.attach(talk);
  }

  /**
   * Subscribes a listener to a channel through its WebRTC recv transport, paused by default
   * like SfuRoom.consume (the client resumes it with setConsumerPaused). One consumer per
   * listener and channel: a second is REJECTED. Not listening means no consumer, so not one
   * packet of the channel reaches that peer.
   */
  async consumeChannel(
    peerId: string,
    channelId: string,
    rtpCapabilities: Record<string, unknown>,
    paused = true,
  ): Promise<ChannelConsumerInfo> {
    const channel = this.channel(channelId);
    const key = `${peerId}\n${channelId}`;
    if (channel.listeners.has(peerId) || this.subscribing.has(key)) {
      throw new SfuError('REJECTED', `already listening to ${channelId}`);
    }
    this.subscribing.add(key);
    let consumer: types.Consumer;
    try {
      consumer = await this.host.consume(peerId, channel.producer, rtpCapabilities, paused);
    } finally {
      this.subscribing.delete(key);
    }
    channel.listeners.set(peerId, consumer);
    consumer.observer.once('close', () => {
      if (channel.listeners.get(peerId) === consumer) channel.listeners.delete(peerId);
    });
    return {
      consumerId: consumer.id,
      producerId: channel.producer.id,
      channelId,
      kind: 'audio',
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  /** Unsubscribes a listener (closes its consumer); a peer not listening is left alone. */
  stopListening(peerId: string, channelId: string): void {
    this.channel(channelId).listeners.get(peerId)?.close();
  }

  /**
   * Forwards a channel as plain RTP to a local receiver, like SfuRoom.createPlainConsumer: a
   * recorder, a bot, a test's UDP socket. Not counted as a listener; closes with the channel.
   */
  async createPlainConsumer(
    channelId: string,
    options: Omit<PlainConsumerOptions, 'producerId'>,
  ): Promise<PlainConsumer> {
    const { producer } = this.channel(channelId);
    return openPlainConsumer(
      this.router,
      producer,
      { ...options, producerId: producer.id },
      this.host.log,
    );
  }

  stats(channelId: string): ChannelStats {
    const channel = this.channel(channelId);
    return { ...channel.stats, listeners: channel.listeners.size };
  }

  /** Idempotent. Closes every channel and mic consumer of the bus. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.unsubscribe();
    this.transport.close();
    this.channelMap.clear();
    this.talks.clear();
  }

  /** Makes the talker's mic consumer unless it has one (or one is on its way). */
  private attach(talk: Talk): Promise<void> {
    if (talk.consumer && !talk.consumer.closed) return Promise.resolve();
    const producer = this.host.micProducer(talk.peerId);
    if (!producer) return Promise.resolve();
    talk.attaching ??= this.consumeMic(talk, producer).finally(() => {
      talk.attaching = undefined;
    });
    return talk.attaching;
  }

  private async consumeMic(talk: Talk, producer: types.Producer): Promise<void> {
    let consumer: types.Consumer;
    try {
      consumer = await this.transport.consume({
        producerId: producer.id,
        rtpCapabilities: plainReceiverCapabilities(this.router, 'audio'),
      });
    } catch (error) {
      throw toSfuError(error, 'CLOSED');
    }
    // The bus, or every channel it was wanted for, may have gone while we awaited.
    if (this.isClosed || talk.channels.size === 0 || this.talks.get(talk.peerId) !== talk) {
      consumer.close();
      return;
    }
    talk.consumer = consumer;
    consumer.on('rtp', (packet) => this.forward(talk, packet));
    // Its mic closing (the member left) closes it too.
    consumer.observer.once('close', () => {
      if (this.talks.get(talk.peerId) === talk) this.talks.delete(talk.peerId);
    });
  }

  /** The per-packet path: to each channel the member holds; counted as dropped elsewhere. */
  private forward(talk: Talk, packet: Buffer): void {
    const now = performance.now();
    for (const channel of talk.channels) {
      if (channel.talker !== talk.peerId) {
        channel.stats.droppedPackets += 1;
        continue;
      }
      const out = channel.stream.rewrite(packet, now);
      if (!out) {
        channel.stats.stalePackets += 1;
        continue;
      }
      channel.producer.send(out);
      channel.stats.forwardedPackets += 1;
      channel.stats.forwardedBytes += out.length;
    }
  }

  /** A member's new mic: forward it at once where that member holds a floor. */
  private onMicAdded(peerId: string): void {
    const held = [...this.channelMap.values()].filter((c) => c.talker === peerId);
    if (held.length === 0) return;
    const talk: Talk = this.talks.get(peerId) ?? {
      peerId,
      consumer: undefined,
      attaching: undefined,
      channels: new Set(),
    };
    this.talks.set(peerId, talk);
    for (const channel of held) talk.channels.add(channel);
    this.attach(talk).catch((error: unknown) =>
      this.host.log.error('channel bus could not consume a new mic', {
        peerId,
        error: String(error),
      }),
    );
  }

  /** A channel's producer closed (removeChannel or the bus): let go of what only it used. */
  private forgetChannel(channel: Channel): void {
    if (this.channelMap.get(channel.id) === channel) this.channelMap.delete(channel.id);
    for (const talk of [...this.talks.values()]) {
      talk.channels.delete(channel);
      if (talk.channels.size === 0) {
        talk.consumer?.close();
        this.talks.delete(talk.peerId);
      }
    }
  }

  /** The channel producer declares no header extension: ChannelStream strips them all. */
  private channelRtpParameters(channelId: string, ssrc: number): types.RtpParameters {
    return {
      codecs: [
        {
          mimeType: this.opus.mimeType,
          payloadType: this.opus.preferredPayloadType ?? 100,
          clockRate: this.opus.clockRate,
          channels: this.opus.channels,
          // What talkers are asked to send (issue #16: Opus with in-band FEC and DTX); the
          // listeners' decoders are told so through their consumers' parameters.
          parameters: { ...this.opus.parameters, useinbandfec: 1, usedtx: 1 },
        },
      ],
      headerExtensions: [],
      encodings: [{ ssrc }],
      rtcp: { cname: `channel-${channelId}`, reducedSize: true },
    };
  }

  /** An SSRC no other channel of the bus uses (the transport routes by SSRC). */
  private freeSsrc(): number {
    const used = new Set([...this.channelMap.values()].map((c) => c.stream.ssrc));
    let ssrc: number;
    do ssrc = randomInt(1, 0xffffffff);
    while (used.has(ssrc));
    return ssrc;
  }

  private channel(channelId: string): Channel {
    this.assertOpen();
    const channel = this.channelMap.get(channelId);
    if (!channel) throw new SfuError('NOT_FOUND', `channel ${channelId} not found`);
    return channel;
  }

  private assertOpen(): void {
    if (this.isClosed) throw new SfuError('CLOSED', 'channel bus is closed');
  }
}
