import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ERROR_CODES, LIMITS, RoomIdSchema, RoomSettingsSchema } from '@parley/protocol';
import type {
  BroadcastStatus,
  FeaturesResponse,
  RoomId,
  SfuCapabilitiesResponse,
} from '@parley/protocol';
import { handleHlsRequest } from '@parley/hls-gateway';
import { AuthError, sendAuthError } from '../auth/index.ts';
import type { Auth } from '../auth/index.ts';
import { apiError, json, methodNotAllowed, readJsonBody, readSmallBody } from './httpUtil.ts';
import { sendLimitError } from './httpUtil.ts';
import { LimitError } from '../util/limits.ts';
import type { Log } from '../telemetry/log.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { serveMetrics, type MetricsVerdict } from './metricsAccess.ts';
import { securityHeaders } from './securityHeaders.ts';
import { hashPassword } from '../rooms/passwords.ts';
import type { Rooms } from '../rooms/rooms.ts';
import type { StaticFiles } from './staticFiles.ts';
import { refusalOf } from '../util/errors.ts';
import { handleTeamRoute } from './teamRoutes.ts';
import { handlePollRoute } from './pollRoutes.ts';
import { handleSlideRoute } from './slideRoutes.ts';
import { handleRecordingRoute } from './recordingRoutes.ts';
import { handleAttendanceRoute } from './attendanceRoutes.ts';
import { handleScheduleRoute } from './scheduleRoutes.ts';
import type { Scheduling } from '../scheduling/scheduling.ts';
import { handlePushRoute } from './pushRoutes.ts';
import type { PushRouteDeps } from './pushRoutes.ts';
import type { Attendance } from '../attendance/attendance.ts';
import type { Recordings } from '../recording/recordings.ts';
import type { RecordingLinks } from '../recording/links.ts';
import type { BoardTickets } from '../classroom/boardTickets.ts';
import type { PollStore, RecordingStore, SlideStore } from '../store/index.ts';

export interface HttpDeps {
  rooms: Rooms;
  /** Rooms' polls, for their hosts' CSV download (pollRoutes.ts). */
  polls: PollStore;
  /** Rooms' slide decks (slideRoutes.ts), authorised by board tickets. */
  slides: SlideStore;
  boardTickets: BoardTickets;
  /** Recordings: the shared list, this node's files, and the download links' signer. */
  recordingStore: RecordingStore;
  recordings: Recordings | undefined;
  recordingsRoot: string;
  recordingLinks: RecordingLinks;
  /** Meetings' attendance and ratings (attendanceRoutes.ts, issue 21). */
  attendance: Attendance;
  /** Scheduled meetings and calendar feeds (scheduleRoutes.ts, issue 21). */
  scheduling: Scheduling;
  /** SITE_URL: the base of links in calendars; undefined: the origin a request came to. */
  siteUrl: string | undefined;
  /** Web Push devices (pushRoutes.ts, issue 21). */
  push: PushRouteDeps['push'];
  metrics: Metrics;
  /** Whether this listener serves `/metrics` to a request (see metricsAccess.ts). */
  metricsGate: (req: IncomingMessage) => MetricsVerdict;
  /** Accounts (`/api/auth/*`, `/api/me*`, bearer checks) and viewer tokens for private rooms. */
  auth: Pick<Auth, 'routes' | 'viewers' | 'sso'>;
  /** Where the HLS gateway writes; undefined when broadcasting is off. */
  hlsRoot: string | undefined;
  staticFiles: StaticFiles | undefined;
  /** Every router's RTP capabilities; undefined when the server runs without an SFU. */
  sfuCapabilities: (() => Record<string, unknown>) | undefined;
  log: Log;
  /** `state` (`serving` | `draining`) decides the status code: a draining node answers 503. */
  health: () => { state: string } & Record<string, unknown>;
  /** Cluster mode: this node's id (room status names the node that holds the room). */
  nodeId: () => string | undefined;
  /** `GET /api/features`: what this server is set up for (mail), which the app says. */
  features: () => FeaturesResponse;
  /** The client's address, for per-address limits (X-Forwarded-For only from TRUST_PROXY). */
  addressOf: (req: IncomingMessage) => string;
  /** The browser reached us over TLS (here, or at a TRUST_PROXY proxy that says so): HSTS. */
  overTls: (req: IncomingMessage) => boolean;
}

function notFound(res: ServerResponse): void {
  apiError(res, 404, 'NOT_FOUND', 'not found');
}

/** An unknown room, and a private one asked about without its viewer token: the same answer. */
function roomNotFound(res: ServerResponse): void {
  apiError(res, 404, ERROR_CODES.ROOM_NOT_FOUND, 'no such room');
}

/** Routes plain HTTP requests: health, the REST API, then the PWA's files. */
export function createHttpHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const headers = securityHeaders(req, deps.overTls(req));
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    route(req, res, deps).catch((error: unknown) => {
      if (error instanceof AuthError && !res.headersSent) return sendAuthError(res, error);
      if (error instanceof LimitError && !res.headersSent) return sendLimitError(res, error);
      const refusal = refusalOf(error);
      if (refusal?.code === ERROR_CODES.UNAVAILABLE && !res.headersSent) {
        res.setHeader('Retry-After', '2');
        return apiError(res, 503, refusal.code, refusal.message);
      }
      // The URL only: a query may carry a viewer token, and it is never logged.
      deps.log.error('http handler failed', { path: req.url?.split('?')[0], error: String(error) });
      if (!res.headersSent) apiError(res, 500, 'INTERNAL', 'internal error');
      else res.destroy();
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (path === '/healthz') return health(res, deps.health());
  if (path === '/metrics') return serveMetrics(req, res, deps.metrics, deps.metricsGate);
  if (path === '/api/rooms') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    return createRoom(req, res, deps);
  }
  if (await handleTeamRoute(req, res, deps, path)) return;
  if (await handlePollRoute(req, res, deps, path)) return;
  if (await handleAttendanceRoute(req, res, deps, path)) return;
  if (await handleScheduleRoute(req, res, deps, path)) return;
  if (await handlePushRoute(req, res, deps, path)) return;
  const slideDeps = { slides: deps.slides, tickets: deps.boardTickets, rooms: deps.rooms };
  if (await handleSlideRoute(req, res, slideDeps, path)) return;
  const { recordingStore: store, recordings, recordingLinks: links, recordingsRoot: root } = deps;
  const recordingDeps = { rooms: deps.rooms, auth: deps.auth, store, recordings, links, root };
  if (await handleRecordingRoute(req, res, recordingDeps, url)) return;
  if (path === '/api/features') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return json(res, 200, deps.features());
  }
  if (path === '/api/sfu/capabilities') {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return sfuCapabilities(res, deps);
  }
  if (path.startsWith('/hls/')) return hls(req, res, deps);
  const token = url.searchParams.get('t');
  const broadcastMatch = /^\/api\/broadcasts\/([^/]+)(\/viewers)?$/.exec(path);
  if (broadcastMatch) {
    const [, broadcastId = '', checkIn] = broadcastMatch;
    const room = await visibleRoom(deps, deps.auth.viewers.roomOf(broadcastId), token);
    if (checkIn && method !== 'POST') return methodNotAllowed(res, 'POST');
    if (checkIn) return viewerCheckIn(req, res, deps, room);
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return broadcastStatus(res, deps, room);
  }
  const roomMatch = /^\/api\/rooms\/([^/]+)$/.exec(path);
  if (roomMatch) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return roomStatus(res, deps, await visibleRoom(deps, roomMatch[1] as string, token));
  }
  if (await deps.auth.sso.handle(req, res, path)) return;
  if (await deps.auth.routes.handle(req, res, path)) return;
  if (path.startsWith('/api/')) return notFound(res);
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
  const head = method === 'HEAD';
  const encoding = req.headers['accept-encoding'];
  const served =
    (await deps.staticFiles?.serve(path, res, head, encoding)) ||
    (await deps.staticFiles?.serveNotFoundPage(path, req.headers.accept, res, head, encoding));
  if (!served) notFound(res);
}

/** 200 while serving; 503 while draining, so a load balancer stops sending new connections. */
function health(res: ServerResponse, h: { state: string } & Record<string, unknown>): void {
  const serving = h.state === 'serving';
  json(res, serving ? 200 : 503, { status: serving ? 'ok' : h.state, ...h });
}

/** The same for every room, public (a codec list), so the pre-join screen loads its Device. */
function sfuCapabilities(res: ServerResponse, deps: HttpDeps): void {
  const caps = deps.sfuCapabilities?.();
  // No SFU here: nothing to preload (204, not 404, which every page load would log as an error).
  if (!caps) {
    res.writeHead(204).end();
    return;
  }
  const body: SfuCapabilitiesResponse = { routerRtpCapabilities: caps };
  json(res, 200, body);
}

/**
 * `/hls/<broadcastId>/...`: the files of the room the broadcast id names (never by the room's
 * own id); private rooms need a viewer token (see ViewerAccess for how).
 */
async function hls(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  if (!deps.hlsRoot) return notFound(res);
  const authorize = deps.auth.viewers.hlsAuthorizer(req, res);
  const isPrivate = (id: string) => deps.rooms.isPrivate(id as RoomId);
  const resolve = (broadcastId: string) => deps.auth.viewers.roomOf(broadcastId);
  const options = { root: deps.hlsRoot, resolve, authorize, isPrivate };
  if (!(await handleHlsRequest(req, res, options))) notFound(res);
}

/**
 * The room id when the room exists and the asker may see it: a private room (one with a
 * password) only with its viewer token `?t=`. Anything else is undefined, answered as unknown.
 */
async function visibleRoom(
  deps: HttpDeps,
  rawId: string | undefined,
  token: string | null,
): Promise<RoomId | undefined> {
  const id = RoomIdSchema.safeParse(rawId);
  if (!id.success || !(await deps.rooms.exists(id.data))) return undefined;
  return (await deps.auth.viewers.allows(id.data, token)) ? id.data : undefined;
}

const CreateRoomBodySchema = z.strictObject({
  title: z.string().trim().min(1).max(LIMITS.ROOM_TITLE_MAX).optional(),
  settings: RoomSettingsSchema.omit({ hasPassword: true }).partial().optional(),
  password: z.string().min(LIMITS.ROOM_PASSWORD_MIN).max(LIMITS.ROOM_PASSWORD_MAX).optional(),
});

/**
 * `POST /api/rooms`: an optional JSON body chooses a title, settings and a password. With a
 * valid `Authorization: Bearer` the signed-in user owns the room; a bad one is a 401, never an
 * anonymous room the user would then not find in their list.
 */
async function createRoom(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
): Promise<void> {
  const owner = await deps.auth.routes.optionalUser(req);
  const hint = `body: {title?, settings?, password? (${LIMITS.ROOM_PASSWORD_MIN}-${LIMITS.ROOM_PASSWORD_MAX} characters)}`;
  const body = await readJsonBody(req, res, CreateRoomBodySchema, hint, { empty: {} });
  if (!body) return;
  const { title, settings, password } = body;
  deps.rooms.countCreation(deps.addressOf(req));
  const passwordHash = password === undefined ? undefined : await hashPassword(password);
  json(res, 201, await deps.rooms.create({ ownerId: owner?.id, title, settings, passwordHash }));
}

async function roomStatus(
  res: ServerResponse,
  deps: HttpDeps,
  id: RoomId | undefined,
): Promise<void> {
  const status = id && (await deps.rooms.status(id));
  if (!status) return roomNotFound(res);
  const nodeId = deps.nodeId();
  // A room held by another node was forwarded there; one answered here is ours or nobody's.
  if (nodeId !== undefined) status.node = deps.rooms.get(status.id) ? nodeId : null;
  json(res, 200, status);
}

/**
 * `GET /api/broadcasts/<id>`: on air or not, the audience, the meeting's title and whose
 * picture is on air; nothing else about the meeting.
 */
async function broadcastStatus(
  res: ServerResponse,
  deps: HttpDeps,
  id: RoomId | undefined,
): Promise<void> {
  const status = id && (await deps.rooms.status(id));
  if (!status) return roomNotFound(res);
  const { live, recording, viewers, title } = status;
  const showing = (live && deps.rooms.get(status.id)?.broadcastShowing()) || null;
  const body: BroadcastStatus = { live, title, showing, recording, viewers };
  json(res, 200, body);
}

/** The viewer page checks in every few seconds with a random id: that is the viewer count. */
async function viewerCheckIn(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  id: RoomId | undefined,
): Promise<void> {
  if (!id) return roomNotFound(res);
  const body = await readSmallBody(req, 256);
  const viewerId = parseViewerId(body);
  if (!viewerId) {
    return apiError(
      res,
      400,
      ERROR_CODES.BAD_MESSAGE,
      'send {"viewerId": "<8-64 url-safe characters>"}',
    );
  }
  json(res, 200, { viewers: deps.rooms.viewers.seen(id, viewerId) });
}

function parseViewerId(body: string | undefined): string | undefined {
  try {
    const value = JSON.parse(body ?? '') as unknown;
    const viewerId = (value as { viewerId?: unknown } | null)?.viewerId;
    return typeof viewerId === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(viewerId)
      ? viewerId
      : undefined;
  } catch {
    return undefined;
  }
}
