import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES, RoomIdSchema } from '@parley/protocol';
import { handleHlsRequest } from '@parley/hls-gateway';
import type { Log } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Rooms } from './rooms.ts';
import type { StaticFiles } from './staticFiles.ts';

export interface HttpDeps {
  rooms: Rooms;
  metrics: Metrics;
  /** Where the HLS gateway writes; undefined when broadcasting is off. */
  hlsRoot: string | undefined;
  staticFiles: StaticFiles | undefined;
  log: Log;
  health: () => Record<string, unknown>;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  // Room links are the keys to rooms: never leak them to other sites in Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function notFound(res: ServerResponse): void {
  json(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
}

/** Routes plain HTTP requests: health, the REST API, then the PWA's files. */
export function createHttpHandler(deps: HttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    route(req, res, deps).catch((error: unknown) => {
      deps.log.error('http handler failed', { url: req.url, error: String(error) });
      if (!res.headersSent)
        json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
      else res.destroy();
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  if (path === '/healthz') return json(res, 200, { status: 'ok', ...deps.health() });
  if (path === '/metrics') return metrics(res, deps.metrics);
  if (path === '/api/rooms') {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    return json(res, 201, deps.rooms.create());
  }
  if (path.startsWith('/hls/')) {
    if (deps.hlsRoot && (await handleHlsRequest(req, res, { root: deps.hlsRoot }))) return;
    return notFound(res);
  }
  const viewerMatch = /^\/api\/rooms\/([^/]+)\/viewers$/.exec(path);
  if (viewerMatch) {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    return viewerCheckIn(req, res, deps, viewerMatch[1] as string);
  }
  const roomMatch = /^\/api\/rooms\/([^/]+)$/.exec(path);
  if (roomMatch) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    return roomStatus(res, deps, roomMatch[1] as string);
  }
  if (path.startsWith('/api/')) return notFound(res);
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
  const served = await deps.staticFiles?.serve(path, res, method === 'HEAD');
  if (!served) notFound(res);
}

async function metrics(res: ServerResponse, m: Metrics): Promise<void> {
  const text = await m.text();
  res.writeHead(200, { 'Content-Type': m.contentType, 'Cache-Control': 'no-store' });
  res.end(text);
}

function roomStatus(res: ServerResponse, deps: HttpDeps, rawId: string): void {
  const id = RoomIdSchema.safeParse(rawId);
  const status = id.success ? deps.rooms.status(id.data) : undefined;
  if (!status) {
    return json(res, 404, { error: { code: ERROR_CODES.ROOM_NOT_FOUND, message: 'no such room' } });
  }
  json(res, 200, status);
}

/** The viewer page checks in every few seconds with a random id: that is the viewer count. */
async function viewerCheckIn(
  req: IncomingMessage,
  res: ServerResponse,
  deps: HttpDeps,
  rawId: string,
): Promise<void> {
  const id = RoomIdSchema.safeParse(rawId);
  if (!id.success || !deps.rooms.exists(id.data)) {
    return json(res, 404, { error: { code: ERROR_CODES.ROOM_NOT_FOUND, message: 'no such room' } });
  }
  const body = await readSmallBody(req, 256);
  const viewerId = parseViewerId(body);
  if (!viewerId) {
    return json(res, 400, {
      error: {
        code: ERROR_CODES.BAD_MESSAGE,
        message: 'send {"viewerId": "<8-64 url-safe characters>"}',
      },
    });
  }
  json(res, 200, { viewers: deps.rooms.viewers.seen(id.data, viewerId) });
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

/** Reads a request body of at most `max` bytes; undefined when it is larger. */
function readSmallBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `use ${allow}` } });
}
