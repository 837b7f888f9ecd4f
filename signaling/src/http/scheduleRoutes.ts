import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScheduleEditSchema, ScheduleRequestSchema } from '@parley/protocol';
import type { CalendarFeedResponse, UpcomingResponse } from '@parley/protocol';
import type { Auth } from '../auth/index.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { Scheduling } from '../scheduling/scheduling.ts';
import { ScheduleError } from '../scheduling/validate.ts';
import { apiError, json, methodNotAllowed, readJsonBody } from './httpUtil.ts';

export interface ScheduleRouteDeps {
  auth: Pick<Auth, 'routes'>;
  scheduling: Scheduling;
  /** A scheduled meeting's room counts against ROOM_CREATIONS_PER_HOUR like any other. */
  rooms: Pick<Rooms, 'countCreation'>;
  addressOf: (req: IncomingMessage) => string;
  /** SITE_URL, else the origin the request came to (links in answers and calendars). */
  siteUrl: string | undefined;
  overTls: (req: IncomingMessage) => boolean;
}

const HINT =
  'body: {title, start ("YYYY-MM-DDTHH:mm"), durationMin, timeZone, recurrence? ({freq: "weekly", count} or {freq: "weekly", until: "YYYY-MM-DD"}), invitees? (emails), waitingRoom?, password?}';
const BODY = { max: 32 * 1024, jsonOnly: true } as const;

/**
 * Scheduled meetings and calendar feeds over HTTP (issue 21). Everything but the feed itself
 * needs the bearer of an account (guests get 401). True when the path was one of these.
 *
 * - `POST /api/schedule`: 201 `ScheduledMeeting`; `GET /api/schedule`: `UpcomingResponse`.
 * - `GET | PATCH | DELETE /api/schedule/<id>`: read (organiser, invitees), edit, cancel (204).
 * - `GET /api/schedule/<id>/meeting.ics`: its calendar entry.
 * - `POST | DELETE /api/calendar/feed`: a new private feed URL, or none.
 * - `GET /api/calendar/<token>.ics`: the feed, no login; 404 for an unknown or revoked token.
 */
export async function handleScheduleRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ScheduleRouteDeps,
  path: string,
): Promise<boolean> {
  const feed = /^\/api\/calendar\/([A-Za-z0-9_-]{20,64})\.ics$/.exec(path);
  const meeting = /^\/api\/schedule\/([A-Za-z0-9_-]{1,32})(\/meeting\.ics)?$/.exec(path);
  if (!feed && !meeting && path !== '/api/schedule' && !path.startsWith('/api/calendar/'))
    return false;
  try {
    if (feed) await serveFeed(req, res, deps, feed[1] as string);
    else if (path === '/api/calendar/feed') await feedUrl(req, res, deps);
    else if (path === '/api/schedule') await collection(req, res, deps);
    else if (meeting) await one(req, res, deps, meeting[1] as string, meeting[2] !== undefined);
    else apiError(res, 404, 'NOT_FOUND', 'not found');
  } catch (error) {
    if (!(error instanceof ScheduleError) || res.headersSent) throw error;
    apiError(res, error.status, error.code, error.message);
  }
  return true;
}

function baseOf(req: IncomingMessage, deps: ScheduleRouteDeps): string {
  if (deps.siteUrl) return deps.siteUrl;
  const host = req.headers.host ?? '';
  const safe = /^[A-Za-z0-9.[\]:-]{1,255}$/.test(host) ? host : 'localhost';
  return `${deps.overTls(req) ? 'https' : 'http'}://${safe}`;
}

async function collection(req: IncomingMessage, res: ServerResponse, deps: ScheduleRouteDeps) {
  if (req.method === 'GET') {
    const user = await deps.auth.routes.requireUser(req);
    const body: UpcomingResponse = {
      meetings: await deps.scheduling.upcoming(user, baseOf(req, deps)),
    };
    return json(res, 200, body);
  }
  if (req.method !== 'POST') return methodNotAllowed(res, 'GET, POST');
  const user = await deps.auth.routes.requireUser(req);
  const body = await readJsonBody(req, res, ScheduleRequestSchema, HINT, BODY);
  if (!body) return;
  deps.rooms.countCreation(deps.addressOf(req));
  json(res, 201, await deps.scheduling.schedule(user, body, baseOf(req, deps)));
}

async function one(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ScheduleRouteDeps,
  id: string,
  ics: boolean,
): Promise<void> {
  const base = baseOf(req, deps);
  if (ics) {
    if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
    const user = await deps.auth.routes.requireUser(req);
    return calendar(res, await deps.scheduling.ics(user, id, base), `meeting-${id}.ics`);
  }
  if (req.method === 'GET') {
    const user = await deps.auth.routes.requireUser(req);
    return json(res, 200, await deps.scheduling.get(user, id, base));
  }
  if (req.method === 'PATCH') {
    const user = await deps.auth.routes.requireUser(req);
    const edit = await readJsonBody(req, res, ScheduleEditSchema, HINT, BODY);
    if (!edit) return;
    return json(res, 200, await deps.scheduling.edit(user, id, edit, base));
  }
  if (req.method === 'DELETE') {
    await deps.scheduling.cancel(await deps.auth.routes.requireUser(req), id);
    res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
    return;
  }
  methodNotAllowed(res, 'GET, PATCH, DELETE');
}

async function feedUrl(req: IncomingMessage, res: ServerResponse, deps: ScheduleRouteDeps) {
  if (req.method === 'POST') {
    const user = await deps.auth.routes.requireUser(req);
    const body: CalendarFeedResponse = {
      url: await deps.scheduling.newFeed(user, baseOf(req, deps)),
    };
    return json(res, 201, body);
  }
  if (req.method !== 'DELETE') return methodNotAllowed(res, 'POST, DELETE');
  await deps.scheduling.revokeFeed(await deps.auth.routes.requireUser(req));
  res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
}

async function serveFeed(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ScheduleRouteDeps,
  token: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
  const text = await deps.scheduling.feed(token, baseOf(req, deps));
  if (text === undefined) return apiError(res, 404, 'NOT_FOUND', 'no such calendar feed');
  calendar(res, text, 'parley.ics', req.method === 'HEAD');
}

function calendar(res: ServerResponse, text: string, filename: string, head = false): void {
  res.writeHead(200, {
    'Content-Type': 'text/calendar; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : text);
}
