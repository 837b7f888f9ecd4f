import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleHlsRequest, signViewerToken } from '@parley/hls-gateway';
import type { RoomId } from '@parley/protocol';
import { ViewerAccess } from './viewerAccess.ts';

const SECRET = 'viewer-secret-for-tests';
const PRIVATE = 'privateroomid000000000' as RoomId;
const PUBLIC = 'publicroomid0000000000' as RoomId;
const OTHER_PRIVATE = 'otherprivateroom000000' as RoomId;
const access = new ViewerAccess(SECRET, async (id) => id === PRIVATE || id === OTHER_PRIVATE);

describe('ViewerAccess', () => {
  it('lets anyone see a public room and only token holders see a private one', async () => {
    const token = access.token(PRIVATE);
    expect(await access.allows(PUBLIC, null)).toBe(true);
    expect(await access.allows(PRIVATE, null)).toBe(false);
    expect(await access.allows(PRIVATE, 'garbage')).toBe(false);
    expect(await access.allows(PRIVATE, token)).toBe(true);
    expect(await access.allows(OTHER_PRIVATE, token)).toBe(false);
    const expired = signViewerToken(PRIVATE, SECRET, 60, Date.now() - 61_000);
    expect(await access.allows(PRIVATE, expired)).toBe(false);
  });

  it('issues tokens valid for 12 hours', () => {
    const expiry = Number(access.token(PRIVATE).split('.')[0]);
    expect(expiry - Date.now() / 1000).toBeCloseTo(12 * 3600, -1);
  });
});

/** The real /hls/ handler over a real socket, with the authorizer signaling gives it. */
describe('HLS authorize', () => {
  let root: string;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'parley-hls-auth-'));
    for (const room of [PRIVATE, PUBLIC, OTHER_PRIVATE]) {
      mkdirSync(path.join(root, room));
      writeFileSync(path.join(root, room, 'index.m3u8'), '#EXTM3U\n');
      writeFileSync(path.join(root, room, 'seg_00001.m4s'), 'segment');
      writeFileSync(path.join(root, room, 'lo.m3u8'), '#EXTM3U\n');
    }
    server = createServer((req, res) => {
      const authorize = access.hlsAuthorizer(req, res);
      void handleHlsRequest(req, res, { root, authorize });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  const get = (p: string, cookie?: string) =>
    fetch(base + p, { headers: cookie ? { cookie } : {} });
  const token = access.token(PRIVATE);

  const table: [string, string, string | undefined, number][] = [
    ['public playlist, no token', `/hls/${PUBLIC}/index.m3u8`, undefined, 200],
    ['public segment, no token', `/hls/${PUBLIC}/seg_00001.m4s`, undefined, 200],
    ['private playlist, no token', `/hls/${PRIVATE}/index.m3u8`, undefined, 404],
    ['private segment, no token', `/hls/${PRIVATE}/seg_00001.m4s`, undefined, 404],
    ['private playlist, ?t=', `/hls/${PRIVATE}/index.m3u8?t=${token}`, undefined, 200],
    ['private playlist, ?token=', `/hls/${PRIVATE}/index.m3u8?token=${token}`, undefined, 200],
    [
      'private playlist, bad token',
      `/hls/${PRIVATE}/index.m3u8?t=1.${'A'.repeat(43)}`,
      undefined,
      404,
    ],
    ['private segment, ?t=', `/hls/${PRIVATE}/seg_00001.m4s?t=${token}`, undefined, 200],
    ['private segment, cookie', `/hls/${PRIVATE}/seg_00001.m4s`, `parley_watch=${token}`, 200],
    ['private playlist, cookie only', `/hls/${PRIVATE}/index.m3u8`, `parley_watch=${token}`, 404],
    ['private rendition playlist, no token', `/hls/${PRIVATE}/lo.m3u8`, undefined, 404],
    ['private rendition playlist, cookie', `/hls/${PRIVATE}/lo.m3u8`, `parley_watch=${token}`, 200],
    ['private rendition playlist, ?t=', `/hls/${PRIVATE}/lo.m3u8?t=${token}`, undefined, 200],
    [
      'other room rendition playlist, this cookie',
      `/hls/${OTHER_PRIVATE}/lo.m3u8`,
      `parley_watch=${token}`,
      404,
    ],
    ['other room, this token', `/hls/${OTHER_PRIVATE}/index.m3u8?t=${token}`, undefined, 404],
    [
      'other room segment, this cookie',
      `/hls/${OTHER_PRIVATE}/seg_00001.m4s`,
      `parley_watch=${token}`,
      404,
    ],
  ];
  it.each(table)('%s', async (_, url, cookie, status) => {
    expect((await get(url, cookie)).status).toBe(status);
  });

  it('sets the segment cookie, scoped to the room, from a playlist with a valid token', async () => {
    const res = await get(`/hls/${PRIVATE}/index.m3u8?t=${token}`);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain(`parley_watch=${token}`);
    expect(setCookie).toContain(`Path=/hls/${PRIVATE}/`);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const https = await fetch(`${base}/hls/${PRIVATE}/index.m3u8?t=${token}`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.headers.get('set-cookie')).toMatch(/; Secure/);
    // Safari reads the master once and then only the rendition's playlist: that renews it.
    const rendition = await get(`/hls/${PRIVATE}/lo.m3u8`, `parley_watch=${token}`);
    expect(rendition.headers.get('set-cookie')).toContain(`parley_watch=${token}`);
    const segment = await get(`/hls/${PRIVATE}/seg_00001.m4s`, `parley_watch=${token}`);
    expect(segment.headers.get('set-cookie')).toBeNull();
    const publicRes = await get(`/hls/${PUBLIC}/index.m3u8`);
    expect(publicRes.headers.get('set-cookie')).toBeNull();
  });
});
