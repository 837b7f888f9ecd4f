// handleHlsRequest on a real HTTP server (port 0), over a real directory.

import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleHlsRequest } from './serve.ts';
import { signViewerToken, verifyViewerToken } from './viewerToken.ts';

let root: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-serve-'));
  root = path.join(dir, 'hls');
  await fs.mkdir(path.join(root, 'room1'), { recursive: true });
  await fs.mkdir(path.join(root, 'secret'), { recursive: true });
  await fs.writeFile(path.join(root, 'room1', 'index.m3u8'), '#EXTM3U\n');
  await fs.writeFile(path.join(root, 'room1', 'lo.m3u8'), '#EXTM3U\n#lo\n');
  await fs.writeFile(path.join(root, 'room1', 'other.m3u8'), '#EXTM3U\n');
  await fs.writeFile(path.join(root, 'room1', 'ffmpeg.m3u8'), '#EXTM3U\n');
  await fs.writeFile(path.join(root, 'room1', 'abc-1.m4s'), 'segment');
  await fs.writeFile(path.join(root, 'room1', 'abc-r1-init.mp4'), 'init');
  await fs.writeFile(path.join(root, 'room1', 'index.m3u8.abc.tmp'), 'partial');
  await fs.writeFile(path.join(root, 'secret', 'index.m3u8'), '#EXTM3U\n');
  await fs.writeFile(path.join(root, 'secret', 'lo.m3u8'), '#EXTM3U\n');
  await fs.writeFile(path.join(dir, 'passwd'), 'outside');
  await fs.writeFile(path.join(root, 'passwd.m4s'), 'outside the room');
  server = http.createServer((req, res) => {
    void handleHlsRequest(req, res, {
      root,
      // A public name for room1, and a directory no URL may name.
      resolve: (id) => (id === 'alias1' ? 'room1' : id === 'secret2' ? undefined : id),
      authorize: (roomId, token) => roomId !== 'secret' || verifyViewerToken(roomId, token, 'k'),
      isPrivate: (roomId) => roomId === 'secret',
    }).then((handled) => {
      if (!handled) res.writeHead(418).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.close();
  if (root) await fs.rm(path.dirname(root), { recursive: true, force: true });
});

/** Sends the request line exactly as given (fetch would normalize `..` away). */
function rawGet(
  target: string,
  method = 'GET',
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head: head.toLowerCase(), body });
    });
  });
}

describe('handleHlsRequest', () => {
  it.each([
    {
      path: '/hls/room1/index.m3u8',
      status: 200,
      type: 'application/vnd.apple.mpegurl',
      cache: 'public, max-age=1',
      body: '#EXTM3U\n',
    },
    {
      path: '/hls/room1/abc-1.m4s',
      status: 200,
      type: 'video/mp4',
      cache: 'public, max-age=31536000, immutable',
      body: 'segment',
    },
    { path: '/hls/room1/abc-r1-init.mp4', status: 200, type: 'video/mp4', body: 'init' },
    { path: '/hls/room1/abc-1.m4s?token=whatever', status: 200, body: 'segment' },
    { path: '/hls/room1/lo.m3u8', status: 200, body: '#EXTM3U\n#lo\n' },
    { path: '/hls/room1/nope.m4s', status: 404 },
    // Only the renditions' names: no other playlist is servable, even one that is on disk.
    { path: '/hls/room1/other.m3u8', status: 404 },
    { path: '/hls/room1/ffmpeg.m3u8', status: 404 },
    { path: '/hls/room1/lo.m3u8?token=x', status: 200 },
    { path: '/hls/nope/index.m3u8', status: 404 },
    { path: '/hls/room1/index.m3u8.abc.tmp', status: 404 },
    { path: '/hls/room1/', status: 404 },
    { path: '/hls/room1', status: 404 },
    { path: '/hls/', status: 404 },
    { path: '/other', status: 418 },
  ])('GET $path -> $status', async ({ path: p, status, type, cache, body }) => {
    const response = await fetch(`http://127.0.0.1:${port}${p}`);
    expect(response.status).toBe(status);
    expect(response.headers.get('access-control-allow-origin')).toBe(status === 418 ? null : '*');
    if (type) expect(response.headers.get('content-type')).toBe(type);
    if (cache) expect(response.headers.get('cache-control')).toBe(cache);
    if (body !== undefined) expect(await response.text()).toBe(body);
  });

  // Request targets sent byte for byte: none may reach a file outside a room's directory.
  const traversal = [
    '/hls/../passwd',
    '/hls/room1/../passwd.m4s',
    '/hls/room1/../../passwd',
    '/hls/room1/..%2f..%2fpasswd',
    '/hls/room1/%2e%2e%2fpasswd.m4s',
    '/hls/room1/%2E%2E/passwd.m4s',
    '/hls/%2e%2e/passwd.m4s',
    '/hls/..%2froom1/abc-1.m4s',
    '/hls/room1/..%5cpasswd.m4s',
    '/hls/room1/%252e%252e%252fpasswd.m4s',
    '/hls/room1/abc-1.m4s%00.m3u8',
    '/hls/room1/.%2e/passwd.m4s',
    '/hls/room1//etc/passwd',
    '/hls//room1/abc-1.m4s',
    '/hls/room1/abc-1.m4s/',
    '/hls/room1/..\\passwd.m4s',
    '/hls/room1/%c0%ae%c0%ae/passwd.m4s',
    '/hls/room1/abc-1.M4S',
    '/hls/room1/.abc.m4s',
    '/hls/room1/abc-1.m4s;.m3u8',
  ];
  it.each(traversal)('refuses %s', async (target) => {
    const { status, body } = await rawGet(target);
    expect(status).toBe(404);
    expect(body).not.toContain('outside');
  });

  it('answers OPTIONS (CORS preflight) and HEAD, refuses other methods', async () => {
    const options = await rawGet('/hls/room1/index.m3u8', 'OPTIONS');
    expect(options.status).toBe(204);
    expect(options.head).toContain('access-control-allow-methods: get, head, options');
    const head = await fetch(`http://127.0.0.1:${port}/hls/room1/abc-1.m4s`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('7');
    const post = await fetch(`http://127.0.0.1:${port}/hls/room1/abc-1.m4s`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('asks authorize() with the token; a refusal is a 404, like no broadcast at all', async () => {
    const url = `http://127.0.0.1:${port}/hls/secret/index.m3u8`;
    expect((await fetch(url)).status).toBe(404);
    expect((await fetch(`${url}?token=1.abc`)).status).toBe(404);
    const token = signViewerToken('secret', 'k', 60);
    expect((await fetch(`${url}?token=${encodeURIComponent(token)}`)).status).toBe(200);
    expect((await fetch(`${url}?token=${signViewerToken('room1', 'k', 60)}`)).status).toBe(404);
    // A rendition's playlist is gated like the master.
    const rendition = `http://127.0.0.1:${port}/hls/secret/lo.m3u8`;
    expect((await fetch(rendition)).status).toBe(404);
    expect((await fetch(`${rendition}?token=${encodeURIComponent(token)}`)).status).toBe(200);
  });

  it('serves the directory resolve() names, and 404 where it names none', async () => {
    const alias = await fetch(`http://127.0.0.1:${port}/hls/alias1/abc-1.m4s`);
    expect(alias.status).toBe(200);
    expect(await alias.text()).toBe('segment');
    await fs.mkdir(path.join(root, 'secret2'), { recursive: true });
    await fs.writeFile(path.join(root, 'secret2', 'index.m3u8'), '#EXTM3U\n');
    expect((await fetch(`http://127.0.0.1:${port}/hls/secret2/index.m3u8`)).status).toBe(404);
  });

  it('keeps a private room out of shared caches', async () => {
    const token = encodeURIComponent(signViewerToken('secret', 'k', 60));
    const secret = await fetch(`http://127.0.0.1:${port}/hls/secret/index.m3u8?token=${token}`);
    expect(secret.headers.get('cache-control')).toBe('private, no-store');
    const open = await fetch(`http://127.0.0.1:${port}/hls/room1/index.m3u8`);
    expect(open.headers.get('cache-control')).toBe('public, max-age=1');
  });
});
