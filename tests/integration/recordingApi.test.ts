import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateRoomResponse, RecordingInfo, RecordingLinks, RoomId } from '@parley/protocol';
import { openSqliteStorage } from '../../signaling/src/store/sqlite/index.ts';
import type { RecordingRecord, Storage } from '../../signaling/src/store/index.ts';
import { RecordingLinks as Signer } from '../../signaling/src/recording/links.ts';
import { Bot } from '../load/Bot.ts';
import { loadClip } from '../load/clip.ts';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

// Issue 18's HTTP side against the real server: who may list, link, download and delete a
// room's recordings, and Range requests on a real MP4. The recordings are put in place as a
// finished recording leaves them (a row, and the files in RECORDINGS_DIR/<id>); how they get
// there is the end-to-end test's (tests/e2e/recording.test.ts).

const RECORDING = {
  dir: undefined,
  retentionDays: 30,
  minFreeBytes: 1 << 20,
  composites: 1,
  rtpPorts: { min: 49600, max: 49699 },
};
let server: TestServer;
let storage: Storage;
let mp4: Buffer;
const PASSWORD = 'correct horse battery staple';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const hostKey = (key: string) => ({ 'x-host-key': key });
const req = (p: string, init: RequestInit = {}) => fetch(server.url + p, init);

async function signUp(name: string): Promise<string> {
  const res = await req('/api/auth/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}-${Date.now()}@x.test`, password: PASSWORD, name }),
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function createRoom(token?: string): Promise<CreateRoomResponse> {
  const res = await req('/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
    body: '{}',
  });
  return (await res.json()) as CreateRoomResponse;
}

let made = 0;
/** A finished recording of `roomId`, its MP4 and M4A where the server keeps them. */
async function recording(roomId: string, change: Partial<RecordingRecord> = {}) {
  made += 1;
  const id = `rec${made}`.padEnd(22, 'x');
  const record: RecordingRecord = {
    id,
    roomId: roomId as RoomId,
    title: 'Meeting',
    node: null,
    startedAt: 1_000 * made,
    endedAt: 1_000 * made + 2_000,
    status: 'ready',
    progress: 1,
    durationMs: 2_000,
    bytes: mp4.length,
    audioBytes: 10,
    layout: 'speaker',
    gapMs: 0,
    error: null,
    ...change,
  };
  await storage.recordings.create(record);
  const dir = path.join(server.dataDir, 'recordings', id);
  mkdirSync(dir, { recursive: true });
  execFileSync('cp', [path.join(server.dataDir, 'sample.mp4'), path.join(dir, 'recording.mp4')]);
  execFileSync('cp', [path.join(server.dataDir, 'sample.mp4'), path.join(dir, 'recording.m4a')]);
  return record;
}

beforeAll(async () => {
  server = await startTestServer({
    sfu: {
      workers: 1,
      listenIp: '127.0.0.1',
      announcedIp: undefined,
      webRtcPortBase: 0,
      rtcMinPort: 49700,
      rtcMaxPort: 49799,
    },
    // Two people are an SFU room: the load bot speaks only the SFU.
    meshMaxPeers: 1,
    recording: { ...RECORDING, rtpPorts: { min: 49600, max: 49699 }, minFreeBytes: 1 << 20 },
  });
  // The same database the server uses (SQLite in WAL mode takes a second connection).
  storage = openSqliteStorage(server.dataDir);
  const sample = path.join(server.dataDir, 'sample.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=160x90:r=10:d=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', sample],
  ]);
  mp4 = readFileSync(sample);
}, 60_000);
afterAll(async () => {
  await storage?.close();
  await server?.dispose();
});

describe('recordings over HTTP', () => {
  it("lists a room's recordings to its host key and its owner, to nobody else", async () => {
    const owner = await signUp('owner');
    const stranger = await signUp('stranger');
    const room = await createRoom(owner);
    const other = await createRoom();
    const [older, newer] = [await recording(room.id), await recording(room.id)];
    await recording(other.id);
    const list = `/api/rooms/${room.id}/recordings`;
    for (const headers of [hostKey(room.hostKey), bearer(owner)]) {
      const res = await req(list, { headers });
      expect(res.status).toBe(200);
      const { recordings } = (await res.json()) as { recordings: RecordingInfo[] };
      expect(recordings.map((r) => r.id)).toEqual([newer.id, older.id]);
      expect(recordings[0]).not.toHaveProperty('node');
    }
    // No credentials, a guest's guess, another room's key, another account: 401.
    for (const headers of [{}, hostKey('guess'), hostKey(other.hostKey), bearer(stranger)]) {
      expect((await req(list, { headers })).status).toBe(401);
    }
    expect(
      (await req('/api/rooms/nope/recordings', { headers: hostKey(room.hostKey) })).status,
    ).toBe(404);
  });

  it('hands its hosts signed links that download with Range, and nothing to anyone else', async () => {
    const room = await createRoom();
    const other = await createRoom();
    const r = await recording(room.id);
    const linkOf = (id: string, key: string) =>
      req(`/api/recordings/${id}/links`, { method: 'POST', headers: hostKey(key) });
    // Another room's host, and an unknown id: the same 404.
    expect((await linkOf(r.id, other.hostKey)).status).toBe(404);
    expect((await linkOf('no-such-recording-000', room.hostKey)).status).toBe(404);
    const res = await linkOf(r.id, room.hostKey);
    expect(res.status).toBe(200);
    const links = (await res.json()) as RecordingLinks;
    expect(links.expiresAt).toBeGreaterThan(Date.now());

    const whole = await req(links.mp4);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-disposition')).toMatch(/^attachment; filename="parley-/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(mp4)).toBe(true);

    const part = await req(links.mp4, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${mp4.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(mp4.subarray(100, 200))).toBe(true);
    const tail = await req(links.mp4, { headers: { range: 'bytes=-50' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(mp4.subarray(mp4.length - 50))).toBe(true);
    const beyond = await req(links.mp4, { headers: { range: `bytes=${mp4.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${mp4.length}`);
    expect((await req(links.m4a)).headers.get('content-type')).toBe('audio/mp4');

    // A tampered, swapped or expired link is a 404.
    const { searchParams } = new URL(links.mp4, server.url);
    const sig = searchParams.get('sig') ?? '';
    const exp = searchParams.get('exp') ?? '';
    const jwt = readFileSync(path.join(server.dataDir, 'jwt-secret'));
    const expired = new Signer(new Uint8Array(jwt)).sign(r.id, 'mp4', Date.now() - 2 * 3_600_000);
    for (const bad of [
      `/api/recordings/${r.id}/mp4?exp=${exp}&sig=${sig.slice(1)}A`,
      `/api/recordings/${r.id}/m4a?exp=${exp}&sig=${sig}`,
      `/api/recordings/${r.id}/mp4?exp=${Number(exp) + 1}&sig=${sig}`,
      `/api/recordings/${r.id}/mp4`,
      expired.path,
    ]) {
      expect((await req(bad)).status, bad).toBe(404);
    }
  });

  it('has no links before the composite is ready, and deletes files and row for good', async () => {
    const room = await createRoom();
    const busy = await recording(room.id, { status: 'processing', progress: 0.4 });
    const live = await recording(room.id, { status: 'recording', endedAt: null });
    const done = await recording(room.id);
    const key = hostKey(room.hostKey);
    const links = await req(`/api/recordings/${busy.id}/links`, { method: 'POST', headers: key });
    expect(links.status).toBe(409);
    expect(
      (await req(`/api/recordings/${live.id}`, { method: 'DELETE', headers: key })).status,
    ).toBe(409);
    const other = await createRoom();
    const foreign = { method: 'DELETE', headers: hostKey(other.hostKey) };
    expect((await req(`/api/recordings/${done.id}`, foreign)).status).toBe(404);

    const signed = (await (
      await req(`/api/recordings/${done.id}/links`, { method: 'POST', headers: key })
    ).json()) as RecordingLinks;
    expect(
      (await req(`/api/recordings/${done.id}`, { method: 'DELETE', headers: key })).status,
    ).toBe(204);
    expect(existsSync(path.join(server.dataDir, 'recordings', done.id))).toBe(false);
    expect((await req(signed.mp4)).status).toBe(404);
    const { recordings } = (await (
      await req(`/api/rooms/${room.id}/recordings`, { headers: key })
    ).json()) as { recordings: RecordingInfo[] };
    expect(recordings.map((r) => r.id).sort()).toEqual([busy.id, live.id].sort());
  });

  it('ends the recording with the meeting, and composes it', async () => {
    const room = await server.createRoom();
    const host = await TestClient.ready(server.url);
    await host.join(room.id, 'Host', room.hostKey);
    const bot = new Bot({
      url: server.url,
      roomId: room.id,
      name: 'bot-speaker',
      publish: ['audio', 'video'],
      clip: loadClip(),
    });
    try {
      await bot.join();
      await bot.published;
      expect(await host.request({ type: 'record', on: true })).toMatchObject({ recording: true });
      await new Promise((r) => setTimeout(r, 3_000));
      await host.request({ type: 'end' });
      const headers = hostKey(room.hostKey);
      const list = async () =>
        (
          (await (await req(`/api/rooms/${room.id}/recordings`, { headers })).json()) as {
            recordings: RecordingInfo[];
          }
        ).recordings;
      await eventually(async () => (await list())[0]?.status === 'ready', 60_000);
      const [done] = await list();
      expect(done?.durationMs).toBeGreaterThan(2_000);
      expect(done?.bytes).toBeGreaterThan(1_000);
    } finally {
      await bot.close();
      host.ws.terminate();
    }
  }, 90_000);
});
