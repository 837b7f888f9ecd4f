// Plain RTP in and out of a router, for what is not a browser: the HLS gateway's FFmpeg
// consumes through `openPlainConsumer`, and tools or tests inject media (an FFmpeg test
// pattern, a file) through `openPlainIngest`. SfuRoom wraps both (createPlainConsumer,
// createPlainProducer) so the producers stay in the room's books.

import type { types } from 'mediasoup';
import type {
  Kind,
  PlainConsumer,
  PlainConsumerEvents,
  PlainConsumerOptions,
  PlainIngestInfo,
  PlainRtpStream,
  SfuLog,
} from './api.ts';
import { SfuError, toSfuError } from './errors.ts';
import { TypedEmitter } from './typedEmitter.ts';

const LOOPBACK = '127.0.0.1';

/**
 * What a plain receiver can take of `kind`: the router's codecs minus RTX, no RTCP feedback and
 * no header extensions. FFmpeg's RTP demuxer understands none of those (it sends no NACKs, so
 * RTX would never be used, and unknown extensions only cost bytes).
 */
export function plainReceiverCapabilities(router: types.Router, kind: Kind): types.RtpCapabilities {
  const codecs = (router.rtpCapabilities.codecs ?? [])
    .filter((c) => c.kind === kind && !/\/rtx$/i.test(c.mimeType))
    .map((c) => ({ ...c, rtcpFeedback: [] }));
  return { codecs, headerExtensions: [] };
}

/** Simulcast or SVC: forward the top spatial layer at full frame rate. */
function highestLayers(producer: types.Producer): types.ConsumerLayers | undefined {
  if (producer.type === 'simple') return undefined;
  const layers = producer.rtpParameters.encodings?.length ?? 1;
  return { spatialLayer: Math.max(0, layers - 1), temporalLayer: 2 };
}

/** The first media codec of a consumer's parameters, as an SDP needs it. */
export function describeStream(consumer: types.Consumer): PlainRtpStream {
  const codec = consumer.rtpParameters.codecs.find((c) => !/\/rtx$/i.test(c.mimeType));
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  if (!codec || ssrc === undefined) throw new SfuError('CANNOT_CONSUME', 'consumer has no codec');
  const parameters: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(codec.parameters ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') parameters[key] = value;
  }
  return {
    kind: consumer.kind,
    payloadType: codec.payloadType,
    mimeType: codec.mimeType,
    codecName: codec.mimeType.split('/')[1] ?? codec.mimeType,
    clockRate: codec.clockRate,
    channels: codec.channels,
    parameters,
    ssrc,
  };
}

/**
 * Forwards `producer` as plain RTP (no ICE, no DTLS, no SRTP) from 127.0.0.1 to a receiver on
 * `options.ip` (default 127.0.0.1) at `port`, RTCP at `rtcpPort` (default port + 1, which is
 * where FFmpeg's RTP demuxer expects it). The consumer starts paused and is resumed before this
 * returns unless `options.paused`; its transport closes with it.
 */
export async function openPlainConsumer(
  router: types.Router,
  producer: types.Producer,
  options: PlainConsumerOptions,
  log: SfuLog,
): Promise<PlainConsumer> {
  const transport = await router.createPlainTransport({
    listenIp: { ip: LOOPBACK },
    rtcpMux: false,
    comedia: false,
    appData: { plainConsumerFor: producer.id },
  });
  try {
    await transport.connect({
      ip: options.ip ?? LOOPBACK,
      port: options.port,
      rtcpPort: options.rtcpPort ?? options.port + 1,
    });
    const caps =
      (options.rtpCapabilities as types.RtpCapabilities | undefined) ??
      plainReceiverCapabilities(router, producer.kind);
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
      throw new SfuError('CANNOT_CONSUME', `cannot consume ${producer.kind} producer plainly`);
    }
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: caps,
      paused: true,
      preferredLayers: highestLayers(producer),
    });
    const plain = new MediasoupPlainConsumer(transport, consumer, log);
    if (!options.paused) await plain.resume();
    return plain;
  } catch (error) {
    transport.close();
    throw toSfuError(error, 'REJECTED');
  }
}

class MediasoupPlainConsumer implements PlainConsumer {
  readonly id: string;
  readonly producerId: string;
  readonly stream: PlainRtpStream;
  private readonly events: TypedEmitter<PlainConsumerEvents>;

  constructor(
    private readonly transport: types.PlainTransport,
    private readonly consumer: types.Consumer,
    log: SfuLog,
  ) {
    this.id = consumer.id;
    this.producerId = consumer.producerId;
    this.stream = describeStream(consumer);
    this.events = new TypedEmitter<PlainConsumerEvents>((event, error) =>
      log.error('plain consumer listener threw', { consumerId: this.id, event, error }),
    );
    consumer.on('producerpause', () => this.events.emit('producer-paused'));
    consumer.on('producerresume', () => this.events.emit('producer-resumed'));
    // One 'closed' for every way it can end: our close(), its producer, its router.
    consumer.observer.once('close', () => {
      transport.close();
      this.events.emit('closed');
      this.events.removeAll();
    });
  }

  get kind(): Kind {
    return this.consumer.kind;
  }

  get closed(): boolean {
    return this.consumer.closed;
  }

  get producerPaused(): boolean {
    return this.consumer.producerPaused;
  }

  on<E extends keyof PlainConsumerEvents>(event: E, listener: PlainConsumerEvents[E]): void {
    this.events.on(event, listener);
  }

  off<E extends keyof PlainConsumerEvents>(event: E, listener: PlainConsumerEvents[E]): void {
    this.events.off(event, listener);
  }

  async resume(): Promise<void> {
    try {
      await this.consumer.resume();
      if (this.kind === 'video') await this.consumer.requestKeyFrame();
    } catch (error) {
      throw toSfuError(error, 'CLOSED');
    }
  }

  async requestKeyFrame(): Promise<void> {
    if (this.kind !== 'video' || this.closed) return;
    try {
      await this.consumer.requestKeyFrame();
    } catch (error) {
      throw toSfuError(error, 'CLOSED');
    }
  }

  close(): void {
    this.consumer.close();
    this.transport.close();
  }
}

/**
 * A PlainTransport on 127.0.0.1 that learns its sender from the first packet (comedia), with
 * RTCP on its own port, and a producer on it. Returns the transport, the producer and where to
 * send. The caller registers the producer (SfuRoom.createPlainProducer).
 */
export async function openPlainIngest(
  router: types.Router,
  media: { kind: Kind; rtpParameters: Record<string, unknown>; appData: Record<string, unknown> },
): Promise<{ transport: types.PlainTransport; producer: types.Producer; info: PlainIngestInfo }> {
  const transport = await router.createPlainTransport({
    listenIp: { ip: LOOPBACK },
    rtcpMux: false,
    comedia: true,
  });
  try {
    const producer = await transport.produce({
      kind: media.kind,
      rtpParameters: media.rtpParameters as types.RtpParameters,
      appData: media.appData,
    });
    const info: PlainIngestInfo = {
      producerId: producer.id,
      ip: transport.tuple.localIp,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort ?? transport.tuple.localPort,
    };
    // The transport exists for this producer only.
    producer.observer.once('close', () => transport.close());
    return { transport, producer, info };
  } catch (error) {
    transport.close();
    throw toSfuError(error, 'REJECTED');
  }
}
