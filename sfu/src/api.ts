/**
 * The SFU as signaling sees it: no WebSocket, no HTTP, just rooms of peers with transports,
 * producers and consumers. Implemented over mediasoup in this package.
 */
import type { MediaSource } from '@parley/protocol';

export type Direction = 'send' | 'recv';
export type Kind = 'audio' | 'video';

export interface SfuOptions {
  /** Workers to run; default: one per CPU core. */
  workers?: number;
  /** IP the WebRtcServers listen on (default 127.0.0.1). */
  listenIp?: string;
  /** IP put in ICE candidates, when clients reach the server through another (NAT). */
  announcedIp?: string;
  /** First WebRtcServer port; worker i listens on base + i (UDP and TCP). 0 = any free port. */
  webRtcPortBase?: number;
  /** Port range for PlainTransports and WebRtcTransports not on the WebRtcServer. */
  rtcMinPort?: number;
  rtcMaxPort?: number;
  /**
   * How often each worker is asked to answer, and how long it has before it is killed and
   * replaced (default every 5 s, 20 s: see watchdog.ts).
   */
  watchdog?: { intervalMs: number; timeoutMs: number };
  log?: {
    info(msg: string, f?: object): void;
    warn(msg: string, f?: object): void;
    error(msg: string, f?: object): void;
  };
}

/** Where the SFU logs (`SfuOptions.log`, default the console). */
export type SfuLog = NonNullable<SfuOptions['log']>;

export interface TransportInfo {
  id: string;
  direction: Direction;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

/**
 * A receive transport opened before its owner joined (SfuRoom.openWarmTransport): with SCTP
 * and one data consumer of the room's idle channel, the only thing it carries until the owner
 * is admitted. Negotiating that channel is what makes the browser run ICE and DTLS early.
 */
export interface WarmTransportInfo extends TransportInfo {
  sctpParameters: Record<string, unknown>;
  dataConsumer: {
    id: string;
    dataProducerId: string;
    sctpStreamParameters: Record<string, unknown>;
    label: string;
    protocol: string;
  };
}

export interface ProducerSummary {
  producerId: string;
  peerId: string;
  kind: Kind;
  source: MediaSource;
}

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: Kind;
  source: MediaSource;
  rtpParameters: Record<string, unknown>;
}

/** Why an SFU call was refused; signaling maps each code to a protocol error code. */
export type SfuErrorCode = 'NOT_FOUND' | 'REJECTED' | 'CANNOT_CONSUME' | 'CLOSED';

/** Events an SfuRoom emits (typed; see SfuRoom.on). */
export interface SfuRoomEvents {
  /** A producer appeared: tell every other peer so they consume it. */
  'producer-added': (producer: ProducerSummary) => void;
  /** A producer closed (its peer stopped it, left, or its transport closed). */
  'producer-closed': (producer: ProducerSummary) => void;
  /** mediasoup closed a consumer on its own (its producer went away): tell its peer. */
  'consumer-closed': (peerId: string, consumerId: string) => void;
  /**
   * The SFU sends one of the peer's video consumers a lower layer than the peer asked for, to
   * fit its downlink (true), or the asked one again (false). See watchLayerFit.
   */
  'consumer-lowered': (peerId: string, consumerId: string, lowered: boolean) => void;
  /** The dominant speaker changed (ActiveSpeakerObserver). */
  'active-speaker': (peerId: string | null) => void;
  /**
   * The room's worker died and the room is closed; `Sfu` has already started a replacement
   * worker. Signaling opens a new SfuRoom and tells the peers to reconnect their SFU side.
   */
  'worker-died': () => void;
}

/** Where a plain RTP receiver (the HLS gateway's FFmpeg) listens; see SfuRoom.createPlainConsumer. */
export interface PlainConsumerOptions {
  producerId: string;
  /** Receiver's IP (default 127.0.0.1). */
  ip?: string;
  /** Receiver's RTP port. */
  port: number;
  /** Receiver's RTCP port (default port + 1: FFmpeg's convention). */
  rtcpPort?: number;
  /** What the receiver decodes (default: the router's codecs without RTX, feedback or header extensions). */
  rtpCapabilities?: Record<string, unknown>;
  /** Leave the consumer paused; call `resume()` when the receiver listens (default false). */
  paused?: boolean;
}

/** One RTP stream as an SDP describes it. */
export interface PlainRtpStream {
  kind: Kind;
  payloadType: number;
  /** e.g. 'video/VP8', 'audio/opus'. */
  mimeType: string;
  /** The SDP rtpmap encoding name, e.g. 'VP8', 'opus'. */
  codecName: string;
  clockRate: number;
  channels?: number;
  /** fmtp parameters, e.g. { useinbandfec: 1 }. */
  parameters: Record<string, string | number>;
  ssrc: number;
}

export interface PlainConsumerEvents {
  /** The consumer is gone (closed, its producer closed, or its room closed). Fires once. */
  closed: () => void;
  'producer-paused': () => void;
  'producer-resumed': () => void;
}

/** A producer forwarded as plain RTP to a local receiver. Closing it closes its transport. */
export interface PlainConsumer {
  readonly id: string;
  readonly producerId: string;
  readonly kind: Kind;
  readonly stream: PlainRtpStream;
  readonly closed: boolean;
  /** Its producer is paused (it sends nothing until 'producer-resumed'). */
  readonly producerPaused: boolean;
  on<E extends keyof PlainConsumerEvents>(event: E, listener: PlainConsumerEvents[E]): void;
  off<E extends keyof PlainConsumerEvents>(event: E, listener: PlainConsumerEvents[E]): void;
  /** Starts forwarding (a video consumer also asks its producer for a keyframe). */
  resume(): Promise<void>;
  /** Asks the producer for a keyframe (no-op for audio or once closed). */
  requestKeyFrame(): Promise<void>;
  /** Idempotent. */
  close(): void;
}

/** Where to send plain RTP for a producer made by SfuRoom.createPlainProducer (comedia). */
export interface PlainIngestInfo {
  producerId: string;
  ip: string;
  port: number;
  rtcpPort: number;
}

/** How Sfu.createRoom sets a room's router up. */
export interface CreateRoomOptions {
  /**
   * Opus only, no video codec: a walkie-talkie team (issue #16). Default false. Opus keeps the
   * payload type and settings it has in every other room.
   */
  audioOnly?: boolean;
}

/** Limits of a ChannelBus (SfuRoom.openChannelBus). */
export interface ChannelBusOptions {
  /** Channels open at once; one more is REJECTED (default 32). */
  maxChannels?: number;
}

/** A listener's consumer of a channel, for mediasoup-client's `recvTransport.consume()`. */
export interface ChannelConsumerInfo {
  consumerId: string;
  /** The channel producer: the same for every listener, whoever talks. */
  producerId: string;
  channelId: string;
  kind: 'audio';
  rtpParameters: Record<string, unknown>;
}

/** Counters of one channel since it was added (for metrics and tests). */
export interface ChannelStats {
  /** Talkers' packets sent into the channel producer, and their bytes as sent. */
  forwardedPackets: number;
  forwardedBytes: number;
  /**
   * Packets of members who have talked on this channel (the bus still consumes their mic)
   * that arrived while they did not hold it: never forwarded here.
   */
  droppedPackets: number;
  /** The talker's own packets dropped: malformed, or reordered from before its turn began. */
  stalePackets: number;
  /** Listeners consuming the channel now. */
  listeners: number;
}
