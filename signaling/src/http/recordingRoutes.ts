import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ERROR_CODES, RecordingIdSchema, RoomIdSchema } from '@parley/protocol';
import type { RecordingInfo, RecordingLinks as LinksReply } from '@parley/protocol';
import type { Auth } from '../auth/index.ts';
import type { RecordingLinks, RecordingFile } from '../recording/links.ts';
import { COMPOSITE_FILES } from '../recording/recordings.ts';
import type { Recordings } from '../recording/recordings.ts';
import type { RecordingRecord, RecordingStore } from '../store/index.ts';
import type { Rooms } from '../rooms/rooms.ts';
import { apiError, json, methodNotAllowed } from './httpUtil.ts';
import { isRoomHost } from './roomHost.ts';

export interface RecordingRouteDeps {
  rooms: Rooms;
  auth: Pick<Auth, 'routes'>;
  store: RecordingStore;
  /** This node's recordings service (deletion stops a composite); undefined where off. */
  recordings: Recordings | undefined;
  /** Where this node keeps recordings' files (RECORDINGS_DIR), recording or not. */
  root: string;
  links: RecordingLinks;
}

const CONTENT_TYPES: Record<RecordingFile, string> = { mp4: 'video/mp4', m4a: 'audio/mp4' };

/** The same answer for an unknown recording and one the caller may not see. */
function notFound(res: ServerResponse): void {
  apiError(res, 404, 'NOT_FOUND', 'no such recording');
}

/** What the hosts see: everything but which node's disk holds the files. */
function infoOf({ node: _node, ...info }: RecordingRecord): RecordingInfo {
  return info;
}

/**
 * The recordings' HTTP routes (issue 18). Listing, links and deletion are for the room's hosts
 * (`isRoomHost`); a download is a plain GET on a signed, expiring link (so the browser's own
 * download, seeking and Range retries work), answered with Range support. True when the path
 * was one of these.
 *
 * - `GET /api/rooms/<id>/recordings`: `{ recordings: RecordingInfo[] }`, the newest first.
 * - `POST /api/recordings/<id>/links`: `RecordingLinks` for a ready recording (409 before).
 * - `GET /api/recordings/<id>/mp4|m4a?exp=&sig=`: the file.
 * - `DELETE /api/recordings/<id>`: 204.
 */
export async function handleRecordingRoute(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RecordingRouteDeps,
  url: URL,
): Promise<boolean> {
  const list = /^\/api\/rooms\/([^/]+)\/recordings$/.exec(url.pathname);
  if (list) {
    await listRoom(req, res, deps, list[1] ?? '');
    return true;
  }
  const one = /^\/api\/recordings\/([^/]+)(?:\/(links|mp4|m4a))?$/.exec(url.pathname);
  if (!one) return false;
  const id = RecordingIdSchema.safeParse(one[1]);
  const record = id.success ? await deps.store.get(id.data) : undefined;
  const action = one[2];
  if (action === 'mp4' || action === 'm4a') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      methodNotAllowed(res, 'GET, HEAD');
      return true;
    }
    const { searchParams: q } = url;
    const signed = record && deps.links.verify(record.id, action, q.get('exp'), q.get('sig'));
    if (!record || !signed) notFound(res);
    else await download(req, res, deps, record, action);
    return true;
  }
  const method = action === 'links' ? 'POST' : 'DELETE';
  if (req.method !== method) {
    methodNotAllowed(res, method);
    return true;
  }
  if (!record || !(await isRoomHost(req, deps, record.roomId))) {
    notFound(res);
    return true;
  }
  if (action === 'links') links(res, deps, record);
  else await remove(res, deps, record);
  return true;
}

async function listRoom(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RecordingRouteDeps,
  rawId: string,
): Promise<void> {
  if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
  const id = RoomIdSchema.safeParse(rawId);
  if (!id.success || !(await deps.rooms.exists(id.data))) {
    return apiError(res, 404, ERROR_CODES.ROOM_NOT_FOUND, 'no such room');
  }
  if (!(await isRoomHost(req, deps, id.data))) {
    return apiError(res, 401, ERROR_CODES.UNAUTHORIZED, "send the room's host key in X-Host-Key");
  }
  const recordings = (await deps.store.listByRoom(id.data)).map(infoOf);
  json(res, 200, { recordings });
}

function links(res: ServerResponse, deps: RecordingRouteDeps, record: RecordingRecord): void {
  if (record.status !== 'ready') {
    return apiError(res, 409, 'NOT_READY', `the recording is ${record.status}, not ready yet`);
  }
  const mp4 = deps.links.sign(record.id, 'mp4');
  const m4a = deps.links.sign(record.id, 'm4a');
  const body: LinksReply = { mp4: mp4.path, m4a: m4a.path, expiresAt: mp4.expiresAt };
  json(res, 200, body);
}

async function remove(
  res: ServerResponse,
  deps: RecordingRouteDeps,
  record: RecordingRecord,
): Promise<void> {
  if (record.status === 'recording') {
    return apiError(res, 409, 'RECORDING', 'stop the recording before deleting it');
  }
  if (deps.recordings) await deps.recordings.remove(record.id);
  else {
    await deps.store.delete(record.id);
    await rm(path.join(deps.root, record.id), { recursive: true, force: true });
  }
  res.writeHead(204, { 'Cache-Control': 'no-store' });
  res.end();
}

async function download(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RecordingRouteDeps,
  record: RecordingRecord,
  file: RecordingFile,
): Promise<void> {
  if (record.status !== 'ready') return notFound(res);
  const filePath = path.join(deps.root, record.id, COMPOSITE_FILES[file]);
  const size = await stat(filePath).then(
    (s) => s.size,
    () => undefined,
  );
  if (size === undefined) return notFound(res);
  const range = byteRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    res.end();
    return;
  }
  const day = new Date(record.startedAt).toISOString().slice(0, 10);
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[file],
    'Accept-Ranges': 'bytes',
    'Content-Disposition': `attachment; filename="parley-${day}-${record.id.slice(0, 8)}.${file}"`,
    'Cache-Control': 'private, no-store',
  };
  const [start, end] = range ?? [0, size - 1];
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = end - start + 1;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(filePath, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * One byte range of a `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`); undefined for
 * none (or a form we do not serve, such as several ranges: the whole file is a valid answer).
 */
export function byteRange(
  header: string | undefined,
  size: number,
): [number, number] | 'unsatisfiable' | undefined {
  const m = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}
