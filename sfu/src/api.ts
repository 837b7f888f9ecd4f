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
  log?: {
    info(msg: string, f?: object): void;
    warn(msg: string, f?: object): void;
    error(msg: string, f?: object): void;
  };
}

export interface TransportInfo {
  id: string;
  direction: Direction;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
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
  /** The dominant speaker changed (ActiveSpeakerObserver). */
  'active-speaker': (peerId: string | null) => void;
  /**
   * The room's worker died and the room is closed; `Sfu` has already started a replacement
   * worker. Signaling opens a new SfuRoom and tells the peers to reconnect their SFU side.
   */
  'worker-died': () => void;
}
