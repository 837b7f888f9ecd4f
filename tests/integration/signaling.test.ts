import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES, LIMITS, PROTOCOL_VERSION } from '@parley/protocol';
import type { RoomStatus } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
const clients: TestClient[] = [];
const track = (c: TestClient): TestClient => (clients.push(c), c);

beforeAll(async () => {
  server = await startTestServer({ roomMaxPeers: 6 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.dispose();
});

describe('handshake', () => {
  it('answers hello with welcome and the heartbeat period', async () => {
    const c = track(await TestClient.connect(server.url));
    const reply = await c.request({ type: 'hello', version: PROTOCOL_VERSION });
    expect(reply).toMatchObject({ type: 'welcome', version: PROTOCOL_VERSION });
  });

  it('closes with 4000 on another protocol version', async () => {
    const c = await TestClient.connect(server.url);
    c.send({ type: 'hello', version: PROTOCOL_VERSION + 1 });
    expect((await c.closed).code).toBe(CLOSE_CODES.UNSUPPORTED_VERSION);
  });

  it('refuses anything before hello with HELLO_REQUIRED', async () => {
    const c = track(await TestClient.connect(server.url));
    const reply = await c.request({ type: 'ping' });
    expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.HELLO_REQUIRED, ref: 'ping' });
  });

  it('refuses an Origin that is neither same-origin nor allowed', async () => {
    await expect(
      TestClient.connect(server.url, { origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
    const same = track(await TestClient.connect(server.url, { origin: server.url }));
    expect(same.ws.readyState).toBe(1);
  });

  it('closes a frame larger than maxPayload with 1009', async () => {
    const c = await TestClient.ready(server.url);
    c.send('x'.repeat(LIMITS.MAX_PAYLOAD_BYTES + 1));
    expect((await c.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });
});

describe('rooms', () => {
  it('creates rooms with 128-bit ids and reports their status', async () => {
    const { id } = await server.createRoom();
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    const status = (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;
    expect(status).toEqual({
      id,
      mode: 'mesh',
      admitted: 0,
      live: false,
      recording: false,
      viewers: 0,
      title: null,
    });
    expect((await fetch(`${server.url}/api/rooms/${'A'.repeat(22)}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/rooms/nope`)).status).toBe(404);
  });

  it('makes the creator host, others guests, and tells peers about joins and leaves', async () => {
    const { id, hostKey } = await server.createRoom();
    const host = track(await TestClient.ready(server.url));
    const joinedHost = await host.join(id, 'Host', hostKey);
    expect(joinedHost).toMatchObject({
      role: 'host',
      mode: 'mesh',
      peers: [],
      iceTransportPolicy: 'all',
    });
    const guest = track(await TestClient.ready(server.url));
    const joinedGuest = await guest.join(id, 'Guest', 'wrong-key');
    expect(joinedGuest.role).toBe('guest');
    expect(joinedGuest.peers.map((p) => p.peerId)).toEqual([joinedHost.peerId]);
    await host.next((m) => m.type === 'peer-joined' && m.peer.peerId === joinedGuest.peerId);
    const status = (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;
    expect(status.admitted).toBe(2);
    expect(await guest.request({ type: 'leave' })).toMatchObject({ type: 'left' });
    await host.next((m) => m.type === 'peer-left' && m.peerId === joinedGuest.peerId);
  });

  it('answers a join to an unknown room with ROOM_NOT_FOUND', async () => {
    const c = track(await TestClient.ready(server.url));
    const reply = await c.request({
      type: 'join',
      roomId: 'B'.repeat(22),
      name: 'x',
      media: { audio: true, video: true },
    });
    expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.ROOM_NOT_FOUND });
  });

  it('treats a closed socket as a leave', async () => {
    const { id } = await server.createRoom();
    const a = track(await TestClient.ready(server.url));
    await a.join(id, 'A');
    const b = await TestClient.ready(server.url);
    const joinedB = await b.join(id, 'B');
    b.ws.terminate();
    await a.next((m) => m.type === 'peer-left' && m.peerId === joinedB.peerId);
  });

  it('admits exactly up to the limit when many join at once', async () => {
    const { id } = await server.createRoom();
    const many = await Promise.all(Array.from({ length: 12 }, () => TestClient.ready(server.url)));
    many.forEach(track);
    const replies = await Promise.all(
      many.map((c, i) =>
        c.request({ type: 'join', roomId: id, name: `p${i}`, media: { audio: true, video: true } }),
      ),
    );
    const admitted = replies.filter((r) => r.type === 'joined');
    expect(admitted).toHaveLength(6);
    expect(
      replies.filter((r) => r.type === 'error' && r.code === ERROR_CODES.ROOM_FULL),
    ).toHaveLength(6);
    // Every admitted peer saw exactly the peers admitted before it: a consistent join order.
    const sizes = admitted.map((r) => (r.type === 'joined' ? r.peers.length : -1)).sort();
    expect(sizes).toEqual([0, 1, 2, 3, 4, 5]);
    const status = (await (await fetch(`${server.url}/api/rooms/${id}`)).json()) as RoomStatus;
    expect(status.admitted).toBe(6);
  });
});

describe('signal relay', () => {
  it('relays between admitted peers of one room with from stamped by the server', async () => {
    const { id } = await server.createRoom();
    const a = track(await TestClient.ready(server.url));
    const b = track(await TestClient.ready(server.url));
    const ja = await a.join(id, 'A');
    const jb = await b.join(id, 'B');
    a.send({ type: 'signal', to: jb.peerId, data: { type: 'offer', sdp: 'v=0', from: 'spoofed' } });
    const got = await b.next((m) => m.type === 'signal');
    expect(got).toEqual({
      type: 'signal',
      from: ja.peerId,
      data: { type: 'offer', sdp: 'v=0', from: 'spoofed' },
    });
  });

  it('refuses to relay to a peer of another room, and from a peer that has not joined', async () => {
    const r1 = await server.createRoom();
    const r2 = await server.createRoom();
    const a = track(await TestClient.ready(server.url));
    const b = track(await TestClient.ready(server.url));
    const outsider = track(await TestClient.ready(server.url));
    await a.join(r1.id, 'A');
    const jb = await b.join(r2.id, 'B');
    const cross = await a.request({ type: 'signal', to: jb.peerId, data: { x: 1 } });
    expect(cross).toMatchObject({ type: 'error', code: ERROR_CODES.PEER_NOT_FOUND });
    const early = await outsider.request({ type: 'signal', to: jb.peerId, data: { x: 1 } });
    expect(early).toMatchObject({ type: 'error', code: ERROR_CODES.NOT_JOINED });
    await eventually(() => true);
    expect(b.of('signal')).toHaveLength(0);
  });
});

describe('connection limits', () => {
  it('answers messages beyond the rate limit with RATE_LIMITED', async () => {
    const limited = await startTestServer({ rateLimit: { perSec: 1, burst: 5 } });
    try {
      const c = await TestClient.ready(limited.url);
      for (let i = 0; i < 20; i++) c.send({ type: 'ping' });
      await eventually(() => c.of('error').length + c.of('pong').length >= 20);
      expect(c.of('error').every((e) => e.code === ERROR_CODES.RATE_LIMITED)).toBe(true);
      expect(c.of('error').length).toBeGreaterThanOrEqual(15);
      await c.close();
    } finally {
      await limited.dispose();
    }
  });

  it('closes a socket that never joins with 4001', async () => {
    const quick = await startTestServer({ joinTimeoutMs: 200 });
    try {
      const c = await TestClient.ready(quick.url);
      expect((await c.closed).code).toBe(CLOSE_CODES.JOIN_TIMEOUT);
    } finally {
      await quick.dispose();
    }
  });

  it('terminates a socket that stops answering pings', async () => {
    const fast = await startTestServer({ heartbeatMs: 100 });
    try {
      const { id } = await fast.createRoom();
      const watcher = await TestClient.ready(fast.url);
      await watcher.join(id, 'W');
      const dead = await TestClient.connect(fast.url, { autoPong: false });
      await dead.request({ type: 'hello', version: PROTOCOL_VERSION });
      const jd = await dead.join(id, 'D');
      expect((await dead.closed).code).toBe(1006);
      await watcher.next((m) => m.type === 'peer-left' && m.peerId === jd.peerId);
      await watcher.close();
    } finally {
      await fast.dispose();
    }
  });
});
