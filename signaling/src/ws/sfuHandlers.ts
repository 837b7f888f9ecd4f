import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import { SfuError } from '@parley/sfu';
import type { SfuRoom } from '@parley/sfu';
import { ProtocolError } from '../util/errors.ts';
import { LimitError } from '../util/limits.ts';
import type { LimitName, OnLimit } from '../util/limits.ts';
import { mayShareScreen } from '../rooms/permissions.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';
import { isHeld, muteKindOf } from '../rooms/hostMute.ts';

export type SfuMessage = ClientMessageOf<
  | 'sfu-transport'
  | 'sfu-connect'
  | 'sfu-produce'
  | 'sfu-close-producer'
  | 'sfu-consume'
  | 'sfu-consumer-pause'
  | 'sfu-layers'
  | 'sfu-restart-ice'
>;

type Reply = ServerMessage;

/**
 * What one peer may hold on the SFU (SFU_MAX_*_PER_PEER): open transports, producers (and one
 * per source: mic, camera, screen, screen audio), consumers. Each costs the worker memory and
 * CPU, a consumer also bandwidth. A socket's messages are handled one at a time, so a check
 * here cannot be raced by the same peer.
 */
export interface SfuPeerLimits {
  transports: number;
  producers: number;
  consumers: number;
  onLimit?: OnLimit | undefined;
}

let limits: SfuPeerLimits = { transports: 4, producers: 4, consumers: 200 };

/** Sets the per-peer limits; the server calls it at start (one set per process, like argon2's). */
export function limitSfuPeers(next: SfuPeerLimits): void {
  limits = next;
}

function refuse(limit: LimitName, message: string): never {
  limits.onLimit?.(limit);
  throw new LimitError(limit, message);
}

/** LIMIT_REACHED when this request would take the peer past one of its limits. */
function checkLimits(sfu: SfuRoom, peer: Peer, msg: SfuMessage): void {
  if (msg.type !== 'sfu-transport' && msg.type !== 'sfu-produce' && msg.type !== 'sfu-consume') {
    return;
  }
  const held = sfu.heldBy(peer.id);
  if (msg.type === 'sfu-transport') {
    // A new transport replaces the peer's one of that direction: that one does not count.
    const kept = held.transports.filter((d) => d !== msg.direction).length;
    if (kept >= limits.transports) refuse('sfu_transports', 'too many SFU transports');
  } else if (msg.type === 'sfu-produce') {
    if (held.sources.includes(msg.source)) {
      refuse('sfu_producers', `already sending ${msg.source}: close that producer first`);
    }
    if (held.sources.length >= limits.producers) refuse('sfu_producers', 'too many producers');
  } else if (held.consumers >= limits.consumers) {
    refuse('sfu_consumers', 'too many consumers');
  }
}

/** The one place SFU refusals become protocol errors. */
export function toProtocolError(error: unknown): unknown {
  if (!(error instanceof SfuError)) return error;
  const code = {
    NOT_FOUND: ERROR_CODES.SFU_NOT_FOUND,
    REJECTED: ERROR_CODES.SFU_REJECTED,
    CANNOT_CONSUME: ERROR_CODES.CANNOT_CONSUME,
    CLOSED: ERROR_CODES.NOT_IN_SFU_MODE,
  }[error.code];
  return new ProtocolError(code, error.message);
}

function sfuOf(room: Room): SfuRoom {
  const sfuRoom = room.media.sfuRoom;
  if (!sfuRoom)
    throw new ProtocolError(ERROR_CODES.NOT_IN_SFU_MODE, 'this room is not using the SFU');
  return sfuRoom;
}

/**
 * Handles one SFU request from an admitted peer and returns the reply (without `rid`). The
 * peer id always comes from the socket, so a peer can only act on its own transports.
 */
export async function handleSfuMessage(room: Room, peer: Peer, msg: SfuMessage): Promise<Reply> {
  const sfu = sfuOf(room);
  checkLimits(sfu, peer, msg);
  try {
    switch (msg.type) {
      case 'sfu-transport': {
        const t = await sfu.createTransport(peer.id, msg.direction);
        return { type: 'sfu-transport-created', ...t };
      }
      case 'sfu-connect':
        await sfu.connectTransport(peer.id, msg.transportId, msg.dtlsParameters);
        return { type: 'sfu-ok' };
      case 'sfu-produce':
        return await produce(room, sfu, peer, msg);
      case 'sfu-close-producer':
        sfu.closeProducer(peer.id, msg.producerId);
        return { type: 'sfu-ok' };
      case 'sfu-consume': {
        if (room.team) throw teamRefusal('in a team you hear channels: send channel-listen');
        const c = await sfu.consume(peer.id, msg.producerId, msg.rtpCapabilities, msg.paused);
        return { type: 'sfu-consumer', ...c, peerId: c.peerId as Peer['id'] };
      }
      case 'sfu-consumer-pause':
        await sfu.setConsumerPaused(peer.id, msg.consumerId, msg.paused);
        return { type: 'sfu-ok' };
      case 'sfu-layers':
        await sfu.setPreferredLayers(peer.id, msg.consumerId, msg.spatialLayer);
        return { type: 'sfu-ok' };
      case 'sfu-restart-ice':
        return {
          type: 'sfu-ice-restarted',
          iceParameters: await sfu.restartIce(peer.id, msg.transportId),
        };
      default:
        return assertNever(msg);
    }
  } catch (error) {
    throw toProtocolError(error);
  }
}

async function produce(
  room: Room,
  sfu: SfuRoom,
  peer: Peer,
  msg: ClientMessageOf<'sfu-produce'>,
): Promise<Reply> {
  const screen = msg.source === 'screen' || msg.source === 'screen-audio';
  if (screen && !mayShareScreen(room.settings, peer.role)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'screen sharing is not allowed in this room');
  }
  const { transportId, kind, rtpParameters, source } = msg;
  if (room.team && source !== 'mic') throw teamRefusal('a team member sends a microphone only');
  // A device a host muted starts paused on the server (see hostMute.ts); a team member's
  // microphone too, until it holds a floor.
  const paused = isHeld(peer, muteKindOf(source)) || room.team !== undefined;
  const producerId = await sfu.produce(peer.id, transportId, {
    kind,
    rtpParameters,
    source,
    paused,
  });
  // Resumed at once when the member already holds a floor (its client re-produced).
  await room.team?.micProduced(peer.id);
  return { type: 'sfu-produced', producerId };
}

function teamRefusal(message: string): ProtocolError {
  return new ProtocolError(ERROR_CODES.FORBIDDEN, message);
}

function assertNever(value: never): never {
  throw new Error(`unhandled SFU message ${JSON.stringify(value)}`);
}
