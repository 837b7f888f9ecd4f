import type { MediaSource } from '@parley/protocol';
import type { types } from 'mediasoup';
import type { Direction, Kind, ProducerSummary } from './api.ts';
import { SfuError } from './errors.ts';

export interface TransportEntry {
  transport: types.WebRtcTransport;
  /** The owner: a peer id, or a joiner's key while `warm` (SfuRoom.openWarmTransport). */
  peerId: string;
  direction: Direction;
  /** Opened before its owner joined and not adopted yet. */
  warm: boolean;
}
export interface ProducerEntry {
  producer: types.Producer;
  summary: ProducerSummary;
}
export interface ConsumerEntry {
  consumer: types.Consumer;
  peerId: string;
  kind: Kind;
}

/**
 * A room's transports, producers and consumers, each with the peer that owns it. Lookups take
 * the caller's peer id: another peer's id and an unknown one are the same NOT_FOUND, so a peer
 * learns nothing about others' ids. Entries are removed by the objects' close handlers.
 */
export class PeerObjects {
  readonly transports = new Map<string, TransportEntry>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();

  findTransport(peerId: string, direction: Direction): TransportEntry | undefined {
    for (const entry of this.transports.values()) {
      if (entry.peerId === peerId && entry.direction === direction) return entry;
    }
    return undefined;
  }

  /** The peer's open producer of `source` (a peer sends one of each, signaling enforces it). */
  findProducer(peerId: string, source: MediaSource): ProducerEntry | undefined {
    for (const entry of this.producers.values()) {
      const { summary, producer } = entry;
      if (summary.peerId === peerId && summary.source === source && !producer.closed) return entry;
    }
    return undefined;
  }

  transport(peerId: string, transportId: string): TransportEntry {
    const entry = this.transports.get(transportId);
    if (entry?.peerId !== peerId)
      throw new SfuError('NOT_FOUND', `transport ${transportId} not found`);
    return entry;
  }

  producer(peerId: string, producerId: string): ProducerEntry {
    const entry = this.producers.get(producerId);
    if (entry?.summary.peerId !== peerId) {
      throw new SfuError('NOT_FOUND', `producer ${producerId} not found`);
    }
    return entry;
  }

  consumer(peerId: string, consumerId: string): ConsumerEntry {
    const entry = this.consumers.get(consumerId);
    if (entry?.peerId !== peerId)
      throw new SfuError('NOT_FOUND', `consumer ${consumerId} not found`);
    return entry;
  }
}
