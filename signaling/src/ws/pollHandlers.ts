import { ERROR_CODES } from '@parley/protocol';
import type { ClientMessageOf, ServerMessage } from '@parley/protocol';
import { ProtocolError } from '../util/errors.ts';
import type { Peer } from '../rooms/peer.ts';
import type { Room } from '../rooms/room.ts';

export type PollMessage = ClientMessageOf<'poll-launch' | 'poll-vote' | 'poll-end' | 'poll-share'>;

/**
 * Handles one poll request (issue 17) in the room's queue and returns the reply (without its
 * rid). The permission table has already kept launch, end and share to hosts and co-hosts.
 */
export async function handlePollMessage(
  room: Room,
  peer: Peer,
  msg: PollMessage,
): Promise<ServerMessage> {
  const polls = room.polls;
  if (!polls) throw new ProtocolError(ERROR_CODES.UNAVAILABLE, 'polls are off on this server');
  await room.queue.run(async () => {
    switch (msg.type) {
      case 'poll-launch': {
        const { question, options, multiple, anonymous, changeable } = msg;
        return polls.launch({ question, options, multiple, anonymous, changeable });
      }
      case 'poll-vote':
        return polls.vote(peer, msg.pollId, msg.choices);
      case 'poll-end':
        return polls.end(msg.pollId);
      case 'poll-share':
        return polls.share(msg.pollId);
    }
  });
  return { type: 'ok' };
}
