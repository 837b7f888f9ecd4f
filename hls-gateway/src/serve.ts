// HTTP for broadcasts: GET /hls/<id>/index.m3u8 and its segments, with the headers a CDN
// and hls.js need. A plain node:http handler, so signaling mounts it with one line.

import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { isHlsFileName, isRoomId } from './names.ts';

export interface HlsServeOptions {
  /** The gateway's outDir. */
  root: string;
  /**
   * The broadcast (directory under `root`) the URL's id names, or undefined for none (404).
   * Default: the URL names the directory itself. Signaling maps public broadcast ids to rooms.
   */
  resolve?: (urlId: string) => string | undefined | Promise<string | undefined>;
  /**
   * Gate for private rooms: called with the room and the `token` query parameter (undefined if
   * absent) for every request; refused is 404, the answer for a broadcast that does not exist,
   * so a wrong token does not even confirm there is one. Default: everyone may watch.
   */
  authorize?: (roomId: string, token: string | undefined) => boolean | Promise<boolean>;
  /**
   * True for a room whose broadcast needs a token: its files are sent `private`, so a shared
   * cache (a CDN) never hands them to someone without one. Default: every room is public.
   */
  isPrivate?: (roomId: string) => boolean | Promise<boolean>;
}

const PREFIX = '/hls/';

const CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Max-Age': '86400',
};

// The playlist changes every segment: a CDN may hold it for a second, collapsing viewers'
// polls into one origin request. Segment names are never reused, so they are immutable.
const PLAYLIST_HEADERS = {
  'Content-Type': 'application/vnd.apple.mpegurl',
  'Cache-Control': 'public, max-age=1',
};
const SEGMENT_HEADERS = {
  'Content-Type': 'video/mp4',
  'Cache-Control': 'public, max-age=31536000, immutable',
};

/** A private room's playlist is never stored; its segments only in the viewer's own cache. */
const PRIVATE_CACHE = ['private, no-store', 'private, max-age=31536000, immutable'] as const;

/**
 * Serves a request under /hls/. Returns false, without touching `res`, for any other path.
 * The path must be exactly `/hls/<room>/<file>` with both names matching strict patterns
 * (letters, digits, `_`, `-`, and the file's one extension): anything encoded, dotted or
 * nested is a 404 before the filesystem is consulted.
 */
export async function handleHlsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: HlsServeOptions,
): Promise<boolean> {
  const url = req.url ?? '';
  if (!url.startsWith(PREFIX)) return false;
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  const parts = rawPath.slice(PREFIX.length).split('/');
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') return reply(res, 204, {});
  if (method !== 'GET' && method !== 'HEAD') {
    return reply(res, 405, { Allow: 'GET, HEAD, OPTIONS' }, 'method not allowed');
  }
  const [urlId, file] = parts;
  if (parts.length !== 2 || !urlId || !file || !isRoomId(urlId) || !isHlsFileName(file)) {
    return reply(res, 404, {}, 'not found');
  }
  const roomId = options.resolve ? await options.resolve(urlId) : urlId;
  if (roomId === undefined || !isRoomId(roomId)) return reply(res, 404, {}, 'not found');
  const token = query.get('token') ?? undefined;
  if (options.authorize && !(await options.authorize(roomId, token))) {
    return reply(res, 404, {}, 'not found');
  }
  const visibility = (await options.isPrivate?.(roomId)) ? 'private' : 'public';
  await sendFile(res, path.join(options.root, roomId, file), method === 'HEAD', visibility);
  return true;
}

async function sendFile(
  res: ServerResponse,
  file: string,
  headOnly: boolean,
  visibility: 'public' | 'private',
): Promise<void> {
  const isPlaylist = file.endsWith('.m3u8');
  let size: number;
  let body: Buffer | undefined;
  try {
    if (isPlaylist) {
      // Read whole: it is replaced by rename every segment, and small.
      body = await fs.readFile(file);
      size = body.length;
    } else {
      const stat = await fs.stat(file);
      if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      size = stat.size;
    }
  } catch {
    reply(res, 404, {}, 'not found');
    return;
  }
  const headers = isPlaylist ? PLAYLIST_HEADERS : SEGMENT_HEADERS;
  res.writeHead(200, {
    ...CORS,
    ...headers,
    ...(visibility === 'private' ? { 'Cache-Control': PRIVATE_CACHE[isPlaylist ? 0 : 1] } : {}),
    'Content-Length': String(size),
  });
  if (headOnly) {
    res.end();
  } else if (body) {
    res.end(body);
  } else {
    await streamFile(res, file);
  }
}

function streamFile(res: ServerResponse, file: string): Promise<void> {
  return new Promise((resolve) => {
    const stream = createReadStream(file);
    // Deleted between stat and open, or a read error: headers are out, so cut the response.
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    stream.on('end', resolve);
    stream.pipe(res);
  });
}

function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  text?: string,
): true {
  res.writeHead(status, {
    ...CORS,
    ...headers,
    ...(text ? { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } : {}),
  });
  res.end(text);
  return true;
}
