import type { types } from 'mediasoup';
import type { ConsumerInfo } from './api.ts';
import { SfuError, toSfuError } from './errors.ts';
import { watchLayerFit } from './layerFit.ts';
import type { PeerObjects } from './peerObjects.ts';
import { forMediasoup, type RoomScope } from './roomScope.ts';

/**
 * A room's consumers: forwarding a producer to a peer's recv transport, pausing and picking
 * simulcast layers per consumer, and telling the room's listeners when a consumer is lowered
 * or loses its producer. SfuRoom's consumer methods land here; consumers are booked in the
 * room's PeerObjects, removed there by their close handlers.
 */
export class RoomConsumers {
  private readonly room: RoomScope;

  constructor(room: RoomScope) {
    this.room = room;
  }

  /** See SfuRoom.consume. */
  async consume(
    peerId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
    paused: boolean,
  ): Promise<ConsumerInfo> {
    this.room.assertOpen();
    const source = this.room.objects.producers.get(producerId);
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
   * (setPaused, 'consumer-closed'): a peer's producer (consume) or a channel's
   * (ChannelBus.consumeChannel).
   */
  async consumeOnRecv(
    peerId: string,
    producer: types.Producer,
    rtpCapabilities: Record<string, unknown>,
    paused: boolean,
  ): Promise<types.Consumer> {
    const recv = this.room.objects.findTransport(peerId, 'recv');
    if (!recv) throw new SfuError('NOT_FOUND', 'peer has no recv transport');
    const caps = forMediasoup<types.RtpCapabilities>(rtpCapabilities);
    if (!this.room.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) {
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
    this.track(peerId, consumer);
    return consumer;
  }

  /** See SfuRoom.setConsumerPaused. */
  async setPaused(peerId: string, consumerId: string, paused: boolean): Promise<void> {
    const { consumer, kind } = this.owned().consumer(peerId, consumerId);
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

  /** See SfuRoom.setPreferredLayers. */
  async setPreferredLayers(
    peerId: string,
    consumerId: string,
    spatialLayer: number,
  ): Promise<void> {
    const { consumer, kind } = this.owned().consumer(peerId, consumerId);
    if (kind !== 'video') throw new SfuError('REJECTED', 'layers apply to video only');
    try {
      await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
      await consumer.requestKeyFrame();
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  private track(peerId: string, consumer: types.Consumer): void {
    const { objects, events } = this.room;
    objects.consumers.set(consumer.id, { consumer, peerId, kind: consumer.kind });
    watchLayerFit(consumer, (lowered) => {
      if (!this.room.isQuiet()) events.emit('consumer-lowered', peerId, consumer.id, lowered);
    });
    // 'producerclose' is news for the consuming peer; 'transportclose' is that peer leaving.
    consumer.on('producerclose', () => {
      objects.consumers.delete(consumer.id);
      if (!this.room.isQuiet()) events.emit('consumer-closed', peerId, consumer.id);
    });
    consumer.observer.once('close', () => objects.consumers.delete(consumer.id));
  }

  /** The room's objects, once it is known to be open. */
  private owned(): PeerObjects {
    this.room.assertOpen();
    return this.room.objects;
  }
}

/** Simulcast: start on the top layer (mediasoup then steps down as bandwidth requires). */
function highestLayers(producer: types.Producer): types.ConsumerLayers | undefined {
  if (producer.type !== 'simulcast') return undefined;
  const layers = producer.rtpParameters.encodings?.length ?? 1;
  return { spatialLayer: layers - 1 };
}
