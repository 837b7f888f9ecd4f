import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import type { BoardTickets } from '../classroom/boardTickets.ts';
import { isModerator, mayDraw } from '../rooms/permissions.ts';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';

export type BoardMessage = ClientMessageOf<'board-sync' | 'board-present' | 'board-ticket'>;

/**
 * Handles one whiteboard request (issue 17) and returns the reply (without its rid). The
 * permission table has already kept `board-present` to hosts and co-hosts; the room's `draw`
 * setting is checked here, on every change, as it stands when the change arrives.
 */
export async function handleBoardMessage(
  room: Room,
  peer: Peer,
  msg: BoardMessage,
  tickets: BoardTickets | undefined,
): Promise<ServerMessage> {
  const board = room.board;
  if (!board) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'the whiteboard is off here');
  switch (msg.type) {
    case 'board-sync': {
      const sender = { id: peer.id, name: peer.name, mayDraw: mayDraw(room.settings, peer.role) };
      await board.receive(sender, msg.data);
      return { type: 'ok' };
    }
    case 'board-present':
      board.present(peer, msg.pageId);
      return { type: 'ok' };
    case 'board-ticket': {
      if (!tickets) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'slides are off here');
      return { type: 'board-ticket', ...tickets.mint(room.id, peer.id, isModerator(peer.role)) };
    }
  }
}
