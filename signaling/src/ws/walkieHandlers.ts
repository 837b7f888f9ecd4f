import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';
import { toProtocolError } from './sfuHandlers.ts';

export type WalkieMessage = ClientMessageOf<
  | 'channel-listen'
  | 'channel-unlisten'
  | 'floor-request'
  | 'floor-release'
  | 'floor-revoke'
  | 'channel-add'
  | 'channel-rename'
  | 'channel-remove'
>;

/**
 * Handles one walkie-talkie request (channels and floors) from an admitted member of a team,
 * in the room's queue, and returns the reply (without `rid`). The permission table has
 * already refused the admin ones to everyone but hosts and co-hosts.
 */
export async function handleWalkieMessage(
  room: Room,
  peer: Peer,
  msg: WalkieMessage,
): Promise<ServerMessage> {
  const team = room.team;
  if (!team) throw new ProtocolError(ERROR_CODES.NOT_A_TEAM, 'this room is not a team');
  const ok = { type: 'ok' } as const;
  return room.queue.run(async () => {
    try {
      switch (msg.type) {
        case 'channel-listen':
          return await team.listen(peer.id, msg.channelId, msg.rtpCapabilities);
        case 'channel-unlisten':
          team.unlisten(peer.id, msg.channelId);
          return ok;
        case 'floor-request':
          return await team.request(peer.id, msg.channelId);
        case 'floor-release':
          await team.release(peer.id, msg.channelId);
          return ok;
        case 'floor-revoke':
          await team.revoke(peer.id, msg.peerId);
          return ok;
        case 'channel-add':
          await team.addChannel(msg.name);
          return ok;
        case 'channel-rename':
          await team.renameChannel(msg.channelId, msg.name);
          return ok;
        case 'channel-remove':
          await team.removeChannel(msg.channelId);
          return ok;
      }
    } catch (error) {
      throw toProtocolError(error);
    }
  });
}
