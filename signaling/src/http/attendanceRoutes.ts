import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ERROR_CODES,
  FeedbackRequestSchema,
  LIMITS,
  MeetingIdSchema,
  RoomIdSchema,
} from '@parley/protocol';
import type { RoomId } from '@parley/protocol';
import type { Attendance } from '../attendance/attendance.ts';
import type { Auth } from '../auth/index.ts';
import type { Rooms } from '../rooms/rooms.ts';
import { apiError, json, methodNotAllowed, readJsonBody } from './httpUtil.ts';
import { isRoomHost } from './roomHost.ts';

export interface AttendanceRouteDeps {
  rooms: Rooms;
  auth: Pick<Auth, 'routes'>;
  attendance: Attendance;
}

/**
 * Attendance and feedback over HTTP (issue 21). Reading is for the room's hosts only: its host
 * key in `X-Host-Key`, or the bearer of the account that owns the room (`isRoomHost`, as for
 * polls and recordings); anyone else gets 401 UNAUTHORIZED without credentials and 403
 * FORBIDDEN with someone else's. Read from the store, so any node answers. True when the path
 * was one of these.
 *
 * - `GET /api/rooms/<id>/meetings`: `{ meetings: MeetingSummary[] }`, the newest first.
 * - `GET /api/rooms/<id>/meetings/<meetingId>`: `MeetingReport`.
 * - `GET /api/rooms/<id>/meetings/<meetingId>/attendance.csv`: the attendance, one row each.
 * - `GET /api/rooms/<id>/feedback`: `SeriesFeedback`, all its meetings' ratings as one series.
 * - `POST /api/feedback` `{ticket, stars, comment?}`: 201; 409 ALREADY_RATED.
 */
export async function handleAttendanceRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AttendanceRouteDeps,
  path: string,
): Promise<boolean> {
  if (path === '/api/feedback') {
    if (req.method !== 'POST') methodNotAllowed(res, 'POST');
    else await rate(req, res, deps);
    return true;
  }
  const series = /^\/api\/rooms\/([^/]+)\/feedback$/.exec(path);
  const match =
    series ?? /^\/api\/rooms\/([^/]+)\/meetings(?:\/([^/]+)(\/attendance\.csv)?)?$/.exec(path);
  if (!match) return false;
  if (req.method !== 'GET') {
    methodNotAllowed(res, 'GET');
    return true;
  }
  const [, rawRoom, rawMeeting, csv] = match;
  const id = RoomIdSchema.safeParse(rawRoom);
  if (!id.success || !(await deps.rooms.exists(id.data))) {
    apiError(res, 404, ERROR_CODES.ROOM_NOT_FOUND, 'no such room');
    return true;
  }
  if (!(await mayRead(req, res, deps, id.data))) return true;
  if (series) {
    json(res, 200, await deps.attendance.series(id.data));
    return true;
  }
  if (rawMeeting === undefined) {
    json(res, 200, { meetings: await deps.attendance.meetings(id.data) });
    return true;
  }
  const meetingId = MeetingIdSchema.safeParse(rawMeeting);
  const report = meetingId.success && (await deps.attendance.report(id.data, meetingId.data));
  if (!report) {
    apiError(res, 404, 'NOT_FOUND', 'no such meeting in this room');
  } else if (csv) {
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="attendance-${report.meeting.id}.csv"`,
      'Cache-Control': 'no-store',
    });
    res.end(deps.attendance.csvOf(report));
  } else {
    json(res, 200, report);
  }
  return true;
}

/** The room's hosts pass; anyone else is answered here (401 or 403) and false returned. */
async function mayRead(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AttendanceRouteDeps,
  id: RoomId,
): Promise<boolean> {
  if (await isRoomHost(req, deps, id)) return true;
  const presented =
    req.headers['x-host-key'] !== undefined || req.headers.authorization !== undefined;
  if (presented)
    apiError(res, 403, ERROR_CODES.FORBIDDEN, "only the room's hosts see its attendance");
  else apiError(res, 401, ERROR_CODES.UNAUTHORIZED, "send the room's host key in X-Host-Key");
  return false;
}

async function rate(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AttendanceRouteDeps,
): Promise<void> {
  const hint = `body: {ticket, stars (1-5), comment? (up to ${LIMITS.FEEDBACK_COMMENT_MAX} characters)}`;
  const body = await readJsonBody(req, res, FeedbackRequestSchema, hint, {
    max: 8 * 1024,
    jsonOnly: true,
  });
  if (!body) return;
  const outcome = await deps.attendance.rate(body);
  if (outcome === 'stored') json(res, 201, { ok: true });
  else if (outcome === 'duplicate')
    apiError(res, 409, ERROR_CODES.ALREADY_RATED, 'you rated this meeting already');
  else
    apiError(res, 403, ERROR_CODES.FORBIDDEN, 'this rating ticket is not valid (or has expired)');
}
