import { randomUUID } from 'node:crypto';
import type { ClientMessageOf, RoomId, SfuReceive, ServerMessageOf } from '@parley/protocol';
import { SfuError } from '@parley/sfu';
import type { SfuRoom } from '@parley/sfu';
import type { Rooms } from '../rooms/rooms.ts';
import type { JoinerReceive } from '../rooms/peer.ts';
import type { Log } from '../telemetry/log.ts';
import { toProtocolError } from './sfuHandlers.ts';

/**
 * One socket's warm transport (issue #15): on the pre-join screen the client asks for a receive
 * transport in the room it is about to join (`sfu-warm`) and connects it (`sfu-warm-connect`),
 * so that its first picture after Join waits for no ICE or DTLS. The transport is the SFU
 * room's (SfuRoom.openWarmTransport), owned by a key of this socket until a join adopts it.
 *
 * Costs and limits: one per socket (a new `sfu-warm` replaces it), MAX_WARM_TRANSPORTS per
 * room, and no longer than the socket lives without joining (JOIN_TIMEOUT_MS); closed with the
 * socket, and once the socket is in the meeting without having taken it.
 */
export class SocketWarmup {
  readonly #owner = `warm-${randomUUID()}`;
  #held: { roomId: RoomId; sfuRoom: SfuRoom; transportId: string } | undefined;

  constructor(
    private readonly rooms: Rooms,
    private readonly log: Log,
    /** ICE through TURN only (ICE_RELAY_ONLY): a warm transport could not connect before join. */
    private readonly relayOnly: boolean,
  ) {}

  /** `sfu-warm`: a warm transport when the room is on the SFU on this server, else none. */
  async open(message: ClientMessageOf<'sfu-warm'>): Promise<ServerMessageOf<'sfu-warmed'>> {
    this.release();
    const room = this.rooms.get(message.roomId);
    const sfuRoom = room?.media.sfuRoom;
    if (this.relayOnly || !room || room.mode !== 'sfu' || !sfuRoom) return { type: 'sfu-warmed' };
    try {
      const transport = await sfuRoom.openWarmTransport(this.#owner);
      this.#held = { roomId: room.id, sfuRoom, transportId: transport.id };
      return { type: 'sfu-warmed', transport };
    } catch (error) {
      // Full of warm transports, or the SFU side closed meanwhile: the join takes the usual way.
      if (error instanceof SfuError) {
        this.log.info('no warm transport', { roomId: room.id, reason: error.message });
        return { type: 'sfu-warmed' };
      }
      throw error;
    }
  }

  /** `sfu-warm-connect`: the browser's DTLS parameters for the warm transport. */
  async connect(message: ClientMessageOf<'sfu-warm-connect'>): Promise<ServerMessageOf<'sfu-ok'>> {
    const held = this.#held;
    try {
      if (!held) throw new SfuError('NOT_FOUND', `transport ${message.transportId} not found`);
      const { transportId, dtlsParameters } = message;
      await held.sfuRoom.connectTransport(this.#owner, transportId, dtlsParameters);
    } catch (error) {
      throw toProtocolError(error);
    }
    return { type: 'sfu-ok' };
  }

  /**
   * The join's `receive`, with its warm transport kept only when it is this socket's, in the
   * room joined: another socket's id (or a stale one) is dropped, and the join opens a new one.
   */
  receiveFor(roomId: RoomId, receive: SfuReceive | undefined): JoinerReceive | undefined {
    if (!receive) return undefined;
    const { warm, ...rest } = receive;
    const held = this.#held;
    if (warm === undefined || held?.roomId !== roomId || held.transportId !== warm) return rest;
    return { ...rest, warm: { owner: this.#owner, transportId: warm } };
  }

  /** Closes the warm transport unless a join adopted it (then it is no longer ours: a no-op). */
  release(): void {
    this.#held?.sfuRoom.removePeer(this.#owner);
    this.#held = undefined;
  }
}
