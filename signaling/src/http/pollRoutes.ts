import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES, RoomIdSchema } from '@parley/protocol';
import { pollsCsv } from '../classroom/pollCsv.ts';
import { apiError, methodNotAllowed } from './httpUtil.ts';
import type { HttpDeps } from './routes.ts';
import { isRoomHost } from './roomHost.ts';

/**
 * `GET /api/rooms/<id>/polls.csv` (issue 17): a room's polls and results for its hosts, read
 * from the store (any node answers, the meeting need not be running). Authorised by the room's
 * host key in `X-Host-Key` (not the URL, which logs and histories keep) or by the bearer of
 * the account that owns the room. True when the path was this route.
 */
export async function handlePollRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  path: string,
): Promise<boolean> {
  const match = /^\/api\/rooms\/([^/]+)\/polls\.csv$/.exec(path);
  if (!match) return false;
  if (req.method !== 'GET') {
    methodNotAllowed(res, 'GET');
    return true;
  }
  const id = RoomIdSchema.safeParse(match[1]);
  if (!id.success || !(await deps.rooms.exists(id.data))) {
    apiError(res, 404, ERROR_CODES.ROOM_NOT_FOUND, 'no such room');
    return true;
  }
  if (!(await isRoomHost(req, deps, id.data))) {
    apiError(res, 401, ERROR_CODES.UNAUTHORIZED, "send the room's host key in X-Host-Key");
    return true;
  }
  const polls = await deps.polls.list(id.data);
  const withVotes = await Promise.all(
    polls.map(async (poll) => ({ poll, votes: await deps.polls.votes(poll.id) })),
  );
  res.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="polls-${id.data}.csv"`,
    'Cache-Control': 'no-store',
  });
  res.end(pollsCsv(withVotes));
  return true;
}
