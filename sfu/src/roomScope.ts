import type { types } from 'mediasoup';
import type { SfuRoomEvents } from './api.ts';
import type { PeerObjects } from './peerObjects.ts';
import type { TypedEmitter } from './typedEmitter.ts';

/**
 * What SfuRoom lends its parts (the transports, the consumers): its router, its booked objects
 * and its events, plus whether it is open. The room keeps its life cycle to itself, so a part
 * cannot close it or outlive it.
 */
export interface RoomScope {
  readonly router: types.Router;
  readonly objects: PeerObjects;
  readonly events: TypedEmitter<SfuRoomEvents>;
  /** True while the room itself is going away: its children's closes are not news. */
  isQuiet(): boolean;
  /** Throws CLOSED once the room is closed. */
  assertOpen(): void;
}

/**
 * mediasoup validates these objects itself (ortc.validate* and the worker) and throws a
 * TypeError for a bad one, which we turn into REJECTED; protocol/ has checked their shape and
 * size at the socket edge. So this is the one place wire objects are handed on unparsed.
 */
export function forMediasoup<T>(value: Record<string, unknown>): T {
  return value as T;
}
