import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import { signViewerToken } from '@parley/hls-gateway';
import { deriveViewerSecret } from '@parley/signaling';
import type { RoomStatus } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

async function text(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe('broadcast through signaling (real mediasoup worker and FFmpeg)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      sfu: {
        workers: 1,
        listenIp: '127.0.0.1',
        announcedIp: undefined,
        webRtcPortBase: 0,
        rtcMinPort: 42000,
        rtcMaxPort: 42499,
      },
      hls: { segmentSeconds: 1, width: 320, height: 180, fps: 15, videoKbps: 300 },
      meshMaxPeers: 4,
      sfuDowngradeHoldS: 0.3,
      sfuDowngradeGraceS: 0.3,
    });
  });
  afterAll(() => server.dispose());

  it('goes on air from a mesh room, serves H.264/AAC HLS, counts viewers, and stops with ENDLIST', async () => {
    const { id, hostKey } = await server.createRoom();
    const host = await TestClient.ready(server.url);
    const joined = await host.join(id, 'Host', hostKey);
    expect(joined).toMatchObject({ mode: 'mesh', live: false });
    const guest = await TestClient.ready(server.url);
    await guest.join(id, 'Guest');
    expect(await guest.request({ type: 'broadcast', live: true })).toMatchObject({
      code: ERROR_CODES.FORBIDDEN,
    });

    const onAir = await host.request({ type: 'broadcast', live: true });
    expect(onAir).toMatchObject({ type: 'broadcast-state', live: true });
    // The watch link names the broadcast, never the room: it does not reveal the join link.
    const broadcastId = (onAir as { broadcastId?: string }).broadcastId ?? '';
    expect(broadcastId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(broadcastId).not.toBe(id);
    expect(joined).toMatchObject({ broadcastId });
    await guest.next((m) => m.type === 'room-mode' && m.mode === 'sfu');
    await guest.next((m) => m.type === 'broadcast-state' && m.live);
    const status = (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;
    expect(status).toMatchObject({ mode: 'sfu', live: true, admitted: 2 });

    const playlist = `${server.url}/hls/${broadcastId}/index.m3u8`;
    await eventually(async () => /\.m4s/.test((await text(playlist)).body), 20_000);
    expect((await fetch(`${server.url}/hls/${id}/index.m3u8`)).status).toBe(404);
    // Nobody sends video here: no picture to name, and this room has no title.
    expect(await (await fetch(`${server.url}/api/broadcasts/${broadcastId}`)).json()).toEqual({
      live: true,
      title: null,
      showing: null,
      recording: false,
      viewers: 0,
    });
    const res = await fetch(playlist);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = await res.text();
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(body)?.[1];
    const segment = body.split('\n').find((l) => l.endsWith('.m4s'));
    expect(init && segment).toBeTruthy();
    const file = path.join(tmpdir(), `parley-probe-${id}.mp4`);
    const bytes = Buffer.concat([
      Buffer.from(await (await fetch(`${server.url}/hls/${broadcastId}/${init}`)).arrayBuffer()),
      Buffer.from(await (await fetch(`${server.url}/hls/${broadcastId}/${segment}`)).arrayBuffer()),
    ]);
    writeFileSync(file, bytes);
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.split('\n').filter(Boolean).sort()).toEqual(['aac', 'h264']);

    const viewer = await fetch(`${server.url}/api/broadcasts/${broadcastId}/viewers`, {
      method: 'POST',
      body: JSON.stringify({ viewerId: 'viewer-000001' }),
    });
    expect(await viewer.json()).toEqual({ viewers: 1 });
    expect(
      ((await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus).viewers,
    ).toBe(1);

    // On air holds the SFU even though the room is small; stopping releases it.
    await new Promise((r) => setTimeout(r, 600));
    expect(guest.of('room-mode').map((m) => m.mode)).toEqual(['sfu']);
    expect(await host.request({ type: 'broadcast', live: false })).toMatchObject({ live: false });
    await eventually(async () => (await text(playlist)).body.includes('#EXT-X-ENDLIST'), 10_000);
    await guest.next((m) => m.type === 'room-mode' && m.mode === 'mesh', 5000);
    await Promise.all([host.close(), guest.close()]);
  });

  it("answers a private broadcast's files 404 without its token, as if there were none", async () => {
    const { id, hostKey } = await server.createRoom({
      password: 'a private broadcast',
      settings: { waitingRoom: false },
    });
    const host = await TestClient.ready(server.url);
    await host.join(id, 'Host', hostKey);
    const onAir = await host.request({ type: 'broadcast', live: true });
    const { broadcastId, watchToken } = onAir as { broadcastId?: string; watchToken?: string };
    if (!broadcastId || !watchToken) throw new Error('no watch link in the reply');
    const hls = `${server.url}/hls/${broadcastId}`;
    await eventually(
      async () => /\.m4s/.test((await text(`${hls}/index.m3u8?t=${watchToken}`)).body),
      20_000,
    );
    const listed = (await text(`${hls}/index.m3u8?t=${watchToken}`)).body;
    const segment = listed.split('\n').find((l) => l.endsWith('.m4s'));
    const unknown = await text(`${server.url}/hls/${'C'.repeat(22)}/index.m3u8`);
    const other = await server.createRoom({ password: 'another private room' });
    const wrong = signViewerTokenFor(other.id);
    for (const url of [
      `${hls}/index.m3u8`,
      `${hls}/index.m3u8?t=1.${'A'.repeat(43)}`,
      `${hls}/index.m3u8?t=${wrong}`,
      `${hls}/${segment}`,
      `${server.url}/api/broadcasts/${broadcastId}`,
    ]) {
      const answer = await text(url);
      expect(answer.status, url).toBe(404);
      if (url.includes('/hls/')) expect(answer, url).toEqual(unknown);
    }
    expect((await fetch(`${hls}/${segment}?t=${watchToken}`)).status).toBe(200);
    await host.request({ type: 'broadcast', live: false });
    await host.close();

    function signViewerTokenFor(roomId: string): string {
      const key = readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
      return signViewerToken(roomId, deriveViewerSecret(new TextEncoder().encode(key)), 600);
    }
  });

  it('refuses a broadcast past the node budget with LIMIT_REACHED, counted, changing nothing', async () => {
    const small = await startTestServer({
      sfu: {
        workers: 1,
        listenIp: '127.0.0.1',
        announcedIp: undefined,
        webRtcPortBase: 0,
        rtcMinPort: 42500,
        rtcMaxPort: 42999,
      },
      hls: { segmentSeconds: 1, width: 320, height: 180, fps: 15, videoKbps: 300 },
      mediaJobs: { perNode: 1, perAccount: 1 },
    });
    try {
      const hosts = [];
      for (const name of ['A', 'B']) {
        const { id, hostKey } = await small.createRoom();
        const host = await TestClient.ready(small.url);
        await host.join(id, name, hostKey);
        hosts.push({ id, host });
      }
      const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
      expect(await a.host.request({ type: 'broadcast', live: true })).toMatchObject({ live: true });
      const refused = await b.host.request({ type: 'broadcast', live: true });
      expect(refused).toMatchObject({ type: 'error', code: ERROR_CODES.LIMIT_REACHED });
      const status = await (await fetch(`${small.url}/api/rooms/${b.id}`)).json();
      expect(status).toMatchObject({ live: false, mode: 'mesh' }); // refused before anything moved
      const metrics = await (await fetch(`${small.url}/metrics`)).text();
      expect(metrics).toContain('parley_limit_hits_total{limit="media_jobs_node"} 1');
      // The place comes back when the first broadcast ends.
      expect(await a.host.request({ type: 'broadcast', live: false })).toMatchObject({
        live: false,
      });
      expect(await b.host.request({ type: 'broadcast', live: true })).toMatchObject({ live: true });
      await b.host.request({ type: 'broadcast', live: false });
      await Promise.all(hosts.map(({ host }) => host.close()));
    } finally {
      await small.dispose();
    }
  });

  it('stops FFmpeg when the server shuts down (no orphan transcoder)', async () => {
    const own = await startTestServer({
      sfu: {
        workers: 1,
        listenIp: '127.0.0.1',
        announcedIp: undefined,
        webRtcPortBase: 0,
        rtcMinPort: 42500,
        rtcMaxPort: 42999,
      },
      hls: { segmentSeconds: 1, width: 320, height: 180, fps: 15, videoKbps: 300 },
    });
    const { id, hostKey } = await own.createRoom();
    const host = await TestClient.ready(own.url);
    await host.join(id, 'Host', hostKey);
    await host.request({ type: 'broadcast', live: true });
    const pid = own.gateway?.ffmpegPid(id);
    expect(pid).toBeGreaterThan(0);
    const alive = (p: number): boolean => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(pid as number)).toBe(true);
    await own.dispose();
    expect(alive(pid as number)).toBe(false);
  });

  it('answers UNAVAILABLE where broadcasting is off, and 404 for unknown HLS paths', async () => {
    const plain = await startTestServer();
    try {
      const { id, hostKey } = await plain.createRoom();
      const host = await TestClient.ready(plain.url);
      await host.join(id, 'Host', hostKey);
      expect(await host.request({ type: 'broadcast', live: true })).toMatchObject({
        code: ERROR_CODES.UNAVAILABLE,
      });
      expect((await fetch(`${plain.url}/hls/${id}/index.m3u8`)).status).toBe(404);
      await host.close();
    } finally {
      await plain.dispose();
    }
    expect((await fetch(`${server.url}/hls/${'C'.repeat(22)}/index.m3u8`)).status).toBe(404);
    expect(
      (
        await fetch(`${server.url}/api/broadcasts/${'C'.repeat(22)}/viewers`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    ).toBe(404);
  });
});
