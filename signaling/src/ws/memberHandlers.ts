import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import { mayChat, mayShareScreen } from '../rooms/permissions.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';
import { turnBackOn } from '../rooms/hostMute.ts';
import type { ConnectionDeps } from './types.ts';

/** What any admitted peer sends about itself and to the others. */
export type MemberMessage = ClientMessageOf<
  'ice-refresh' | 'signal' | 'chat' | 'chat-sync' | 'media' | 'uplink'
>;

/**
 * Handles one member request and returns the reply (without its rid), or undefined for a relayed
 * `signal`, which has none. The permission table has already admitted the sender.
 */
export async function handleMemberMessage(
  room: Room,
  peer: Peer,
  message: MemberMessage,
  iceServersFor: ConnectionDeps['iceServersFor'],
): Promise<ServerMessage | undefined> {
  switch (message.type) {
    case 'ice-refresh':
      return { type: 'ice-servers', iceServers: iceServersFor(peer.id) };
    case 'signal':
      room.relaySignal(peer.id, message.to, message.data);
      return undefined;
    case 'chat':
      return chat(room, peer, message);
    case 'chat-sync':
      return { type: 'chat-history', ...(await room.chatSince(message.since)) };
    case 'media':
      if (message.media.screen && !peer.media.screen && !mayShareScreen(room.settings, peer.role)) {
        throw new ProtocolError(
          ERROR_CODES.FORBIDDEN,
          'screen sharing is not allowed in this room',
        );
      }
      await room.queue.run(async () => {
        // Turning a device back on ends a host's mute of it, where the room allows (hostMute.ts).
        const on = (['audio', 'video'] as const).filter((k) => message.media[k] && !peer.media[k]);
        if (on.length > 0) await turnBackOn(room, peer, on);
        room.updateMedia(peer, message.media);
      });
      return { type: 'media-ok' };
    case 'uplink':
      await room.queue.run(() => room.updateUplink(peer, message.uplink));
      return { type: 'ok' };
  }
}

async function chat(room: Room, peer: Peer, message: ClientMessageOf<'chat'>) {
  if (!mayChat(room.settings, peer.role)) {
    throw new ProtocolError(ERROR_CODES.FORBIDDEN, 'chat is turned off in this room');
  }
  const { message: stored } = await room.queue.run(() =>
    room.postChat(peer, message.clientId, message.text),
  );
  const { clientId, seq, ts } = stored;
  return { type: 'chat-ack', clientId, seq, ts } as const;
}
