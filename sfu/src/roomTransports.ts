import type { types } from 'mediasoup';
import type { Direction, TransportInfo, WarmTransportInfo } from './api.ts';
import { SfuError, toSfuError } from './errors.ts';
import { INITIAL_OUTGOING_BITRATE } from './mediaCodecs.ts';
import type { PeerObjects } from './peerObjects.ts';
import { forMediasoup, type RoomScope } from './roomScope.ts';
import { MAX_WARM_TRANSPORTS, openIdleChannel } from './warm.ts';

/**
 * A room's WebRtcTransports on the worker's WebRtcServer: one per peer and direction, plus the
 * warm ones opened before their owner joined. SfuRoom's transport methods land here; the
 * transports are booked in the room's PeerObjects, removed there by their close handlers.
 */
export class RoomTransports {
  private readonly room: RoomScope;
  private readonly webRtcServer: types.WebRtcServer;
  /** The idle channel warm transports consume (opened with the first one). */
  private idle: Promise<types.DataProducer> | undefined;
  /** Warm transports being opened (openWarm awaits the worker): they count too. */
  private warmOpening = 0;

  constructor(room: RoomScope, webRtcServer: types.WebRtcServer) {
    this.room = room;
    this.webRtcServer = webRtcServer;
  }

  /** See SfuRoom.createTransport. */
  async create(peerId: string, direction: Direction): Promise<TransportInfo> {
    const transport = await this.open(peerId, direction, false);
    return transportInfo(transport, direction);
  }

  /** See SfuRoom.openWarmTransport. */
  async openWarm(owner: string): Promise<WarmTransportInfo> {
    // Those being opened count too: concurrent requests cannot pass the limit together.
    const warm = [...this.room.objects.transports.values()].filter((e) => e.warm).length;
    if (warm + this.warmOpening >= MAX_WARM_TRANSPORTS) {
      const held = warm + this.warmOpening;
      throw new SfuError('REJECTED', `the room has ${held} transports waiting for their joiners`);
    }
    this.warmOpening += 1;
    let transport: types.WebRtcTransport;
    let dataConsumer: types.DataConsumer;
    try {
      transport = await this.open(owner, 'recv', true);
      try {
        this.idle ??= openIdleChannel(this.room.router);
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

  /** See SfuRoom.adoptWarmTransport. */
  adoptWarm(
    owner: string,
    peerId: string,
    transportId: string,
  ): { transport: TransportInfo; connected: boolean } {
    const entry = this.owned().transport(owner, transportId);
    if (!entry.warm || entry.transport.closed) {
      throw new SfuError('NOT_FOUND', `transport ${transportId} not found`);
    }
    const previous = this.room.objects.findTransport(peerId, 'recv');
    if (previous && previous !== entry) previous.transport.close();
    entry.peerId = peerId;
    entry.warm = false;
    const connected = entry.transport.dtlsState === 'connected';
    return { transport: transportInfo(entry.transport, 'recv'), connected };
  }

  /** A WebRtcTransport on the worker's WebRtcServer, booked as `peerId`'s (see create). */
  private async open(
    peerId: string,
    direction: Direction,
    warm: boolean,
  ): Promise<types.WebRtcTransport> {
    this.room.assertOpen();
    const transport = await this.room.router
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
      this.room.assertOpen();
    } catch (error) {
      transport.close();
      throw error;
    }
    const { objects } = this.room;
    objects.findTransport(peerId, direction)?.transport.close();
    objects.transports.set(transport.id, { transport, peerId, direction, warm });
    transport.observer.once('close', () => objects.transports.delete(transport.id));
    return transport;
  }

  /** See SfuRoom.restartIce. */
  async restartIce(peerId: string, transportId: string): Promise<Record<string, unknown>> {
    const { transport } = this.owned().transport(peerId, transportId);
    try {
      return (await transport.restartIce()) as unknown as Record<string, unknown>;
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  /** See SfuRoom.connectTransport. */
  async connect(
    peerId: string,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    const { transport } = this.owned().transport(peerId, transportId);
    try {
      await transport.connect({
        dtlsParameters: forMediasoup<types.DtlsParameters>(dtlsParameters),
      });
    } catch (error) {
      throw toSfuError(error, 'REJECTED');
    }
  }

  /** The room's objects, once it is known to be open. */
  private owned(): PeerObjects {
    this.room.assertOpen();
    return this.room.objects;
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
