import type { IncomingMessage } from 'node:http';
import type { RoomId } from '@parley/protocol';
import type { Auth } from '../auth/index.ts';
import type { Rooms } from '../rooms/rooms.ts';

/**
 * Whether a request speaks for the room's host, outside any meeting: the room's host key in
 * `X-Host-Key` (not the URL, which logs and histories keep), or the bearer of the account that
 * owns the room. What a room's hosts read over HTTP (its polls, its recordings) asks this.
 */
export async function isRoomHost(
  req: IncomingMessage,
  deps: { rooms: Rooms; auth: Pick<Auth, 'routes'> },
  id: RoomId,
): Promise<boolean> {
  const key = req.headers['x-host-key'];
  if (typeof key === 'string' && (await deps.rooms.isHostKey(id, key))) return true;
  // A bad or expired bearer throws UNAUTHORIZED (the client meant to be someone: refresh).
  const user = await deps.auth.routes.optionalUser(req);
  return deps.rooms.isOwner(id, user?.id);
}
