import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';

export type ClassMessage = ClientMessageOf<'hand' | 'hand-lower' | 'react'>;

/**
 * Handles one class request (issue 17: hands and reactions) and returns the reply (without
 * its rid). The permission table has already kept `hand-lower` to hosts and co-hosts.
 */
export async function handleClassMessage(
  room: Room,
  peer: Peer,
  msg: ClassMessage,
): Promise<ServerMessage> {
  const { classroom } = room;
  const ok = { type: 'ok' } as const;
  switch (msg.type) {
    case 'hand':
      return room.queue.run(async () => {
        const hands = classroom.hands;
        const changed = msg.raised ? await hands.raise(peer) : await hands.lower(peer);
        if (changed) classroom.publishHands();
        return ok;
      });
    case 'hand-lower':
      return room.queue.run(async () => {
        const target = msg.peerId === undefined ? undefined : room.peer(msg.peerId);
        if (msg.peerId !== undefined && !target) {
          throw new ProtocolError(ERROR_CODES.PEER_NOT_FOUND, 'no such peer in this room');
        }
        const changed = target
          ? await classroom.hands.lower(target)
          : await classroom.hands.lowerAll();
        if (changed) classroom.publishHands();
        return ok;
      });
    case 'react':
      // No queue: a reaction changes nothing stored, and the batch keeps the order they came.
      if (!classroom.reactions.add(peer.id, msg.reaction)) {
        throw new ProtocolError(
          ERROR_CODES.RATE_LIMITED,
          `at most ${LIMITS.REACTIONS_PER_SEC} reactions a second`,
        );
      }
      return ok;
  }
}
