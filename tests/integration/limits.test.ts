import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, LIMITS, PROTOCOL_VERSION } from '@parley/protocol';
import { loadConfig } from '@parley/signaling';
import type { Config } from '@parley/signaling';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

// Issue #14: limits on what one address, peer or account may cost. Each refusal has a typed
// code and shows in parley_limit_hits_total{limit}.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

type Limits = Config['limits'];
const DEFAULTS = loadConfig({}).limits;

async function server(limits: Partial<Limits> = {}): Promise<TestServer> {
  const s = await startTestServer({ limits: { ...DEFAULTS, ...limits } });
  servers.push(s);
  return s;
}

/** The test process stands for HAProxy on loopback: it appends the "client" to the header. */
const BEHIND_PROXY: Partial<Limits> = { trustProxy: ['127.0.0.1', '::1'] };

async function limitHits(s: TestServer, limit: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`parley_limit_hits_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

function createRoom(s: TestServer, forwardedFor?: string, body: object = {}): Promise<Response> {
  return fetch(`${s.url}/api/rooms`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe('TRUST_PROXY and room creations per address', () => {
  it('ignores X-Forwarded-For from anyone not trusted: a forged header dodges nothing', async () => {
    const s = await server({ roomCreationsPerHour: 3 });
    for (let i = 0; i < 3; i++) expect((await createRoom(s, `198.51.100.${i}`)).status).toBe(201);
    const refused = await createRoom(s, '198.51.100.99');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(await errorOf(refused)).toMatchObject({ code: ERROR_CODES.RATE_LIMITED });
    expect(await limitHits(s, 'room_creations')).toBe(1);
  });

  it('behind a trusted proxy counts each client apart, by the address the proxy appended', async () => {
    const s = await server({ ...BEHIND_PROXY, roomCreationsPerHour: 2 });
    for (let i = 0; i < 2; i++) expect((await createRoom(s, '203.0.113.1')).status).toBe(201);
    expect((await createRoom(s, '203.0.113.1')).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await createRoom(s, '203.0.113.2')).status).toBe(201);
    // A client that writes its own header gets the proxy's hop appended after it: still itself.
    expect((await createRoom(s, '192.0.2.50, 203.0.113.1')).status).toBe(429);
    expect(await limitHits(s, 'room_creations')).toBe(2);
  });

  it('refuses room passwords shorter than LIMITS.ROOM_PASSWORD_MIN', async () => {
    const s = await server();
    const short = 'x'.repeat(LIMITS.ROOM_PASSWORD_MIN - 1);
    const res = await createRoom(s, undefined, { password: short });
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: ERROR_CODES.BAD_MESSAGE });
    const ok = await createRoom(s, undefined, { password: 'x'.repeat(LIMITS.ROOM_PASSWORD_MIN) });
    expect(ok.status).toBe(201);
    const { id, hostKey } = (await ok.json()) as { id: string; hostKey: string };
    const host = await TestClient.ready(s.url);
    await host.join(id, 'Host', hostKey);
    const set = await host.request({ type: 'settings', settings: { password: short } });
    expect(set).toMatchObject({ type: 'error', code: ERROR_CODES.BAD_MESSAGE });
  });
});

/** The HTTP status of an upgrade to /ws (101 when it opened; the socket is kept open). */
function upgrade(
  s: TestServer,
  options: WebSocket.ClientOptions,
  open: WebSocket[],
): Promise<{ status: number; retryAfter?: string; body?: string }> {
  const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}/ws`, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      open.push(ws);
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, body, ...(retryAfter ? { retryAfter } : {}) });
      });
    });
    ws.once('error', reject);
  });
}

describe('WebSocket connections per address', () => {
  it('refuses the upgrade over WS_MAX_PER_ADDRESS with 429 LIMIT_REACHED, per address', async () => {
    const s = await server({ wsPerAddress: 3 });
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        expect((await upgrade(s, { localAddress: '127.0.0.1' }, open)).status).toBe(101);
      }
      const refused = await upgrade(s, { localAddress: '127.0.0.1' }, open);
      expect(refused).toMatchObject({ status: 429, retryAfter: '10' });
      expect(JSON.parse(refused.body ?? '')).toMatchObject({
        error: { code: ERROR_CODES.LIMIT_REACHED },
      });
      expect((await upgrade(s, { localAddress: '127.0.0.2' }, open)).status).toBe(101);
      // A closed socket frees its slot.
      open[0]?.close();
      await eventually(
        async () => (await upgrade(s, { localAddress: '127.0.0.1' }, open)).status === 101,
      );
      expect(await limitHits(s, 'ws_connections')).toBeGreaterThanOrEqual(1);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });

  it('behind a trusted proxy counts the forwarded clients, not the proxy', async () => {
    const s = await server({ ...BEHIND_PROXY, wsPerAddress: 2 });
    const open: WebSocket[] = [];
    const from = (client: string) => ({ headers: { 'x-forwarded-for': client } });
    try {
      for (let i = 0; i < 2; i++)
        expect((await upgrade(s, from('203.0.113.7'), open)).status).toBe(101);
      expect((await upgrade(s, from('203.0.113.7'), open)).status).toBe(429);
      expect((await upgrade(s, from('203.0.113.8'), open)).status).toBe(101);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });
});

describe('room-password attempts', () => {
  const media = { audio: true, video: true };
  const join = (roomId: string, password: string) => ({
    type: 'join',
    roomId,
    name: 'Guest',
    media,
    password,
  });

  it('are counted before the check: parallel sockets cannot each get a free try', async () => {
    const s = await server({ roomPassword: { ...DEFAULTS.roomPassword, perRoomAddress: 10 } });
    const { id } = await s.createRoom({
      password: 'the password',
      settings: { waitingRoom: false },
    });
    const clients = await Promise.all(
      Array.from({ length: 15 }, async () => {
        const c = await TestClient.connect(s.url, { localAddress: '127.0.0.1' });
        await c.request({ type: 'hello', version: PROTOCOL_VERSION });
        return c;
      }),
    );
    const replies = await Promise.all(clients.map((c, i) => c.request(join(id, `guess ${i}`))));
    const codes = replies.map((r) => ('code' in r ? r.code : r.type));
    expect(codes.filter((c) => c === ERROR_CODES.ROOM_NOT_FOUND)).toHaveLength(10);
    expect(codes.filter((c) => c === ERROR_CODES.RATE_LIMITED)).toHaveLength(5);
    expect(await limitHits(s, 'room_password_attempts')).toBe(5);
    // Another guest still gets in with the right password.
    const other = await TestClient.connect(s.url, { localAddress: '127.0.0.2' });
    await other.request({ type: 'hello', version: PROTOCOL_VERSION });
    expect(await other.request(join(id, 'the password'))).toMatchObject({ type: 'joined' });
    await Promise.all([...clients, other].map((c) => c.close()));
  });
});

describe('room-password attempts per room', () => {
  it('past ROOM_PASSWORD_TRIES_PER_ROOM a guesser waits, but a first try still gets in', async () => {
    const roomPassword = { ...DEFAULTS.roomPassword, perRoom: 3 };
    const s = await server({ roomPassword });
    const body = { password: 'the password', settings: { waitingRoom: false } };
    const { id } = await s.createRoom(body);
    const attempt = async (localAddress: string, password: string) => {
      const c = await TestClient.connect(s.url, { localAddress });
      await c.request({ type: 'hello', version: PROTOCOL_VERSION });
      const media = { audio: true, video: true };
      return c.request({ type: 'join', roomId: id, name: 'G', media, password });
    };
    // Three addresses, one wrong guess each: the room's counter is full.
    for (const a of ['127.0.1.1', '127.0.1.2', '127.0.1.3']) {
      expect(await attempt(a, 'wrong guess')).toMatchObject({ code: ERROR_CODES.ROOM_NOT_FOUND });
    }
    // A guesser that already failed here waits now ...
    expect(await attempt('127.0.1.1', 'another guess')).toMatchObject({
      code: ERROR_CODES.RATE_LIMITED,
    });
    // ... while a guest's first try is not refused for the room's sake.
    expect(await attempt('127.0.1.4', 'the password')).toMatchObject({ type: 'joined' });
    expect(await limitHits(s, 'room_password_attempts')).toBe(1);
  });
});

describe('sign-in per account and address', () => {
  const PASSWORD = 'correct horse battery staple';
  let n = 0;
  const email = (): string => `limits${++n}-${Date.now()}@example.com`;
  const post = (s: TestServer, path: string, body: object, client: string) =>
    fetch(s.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
      body: JSON.stringify(body),
    });

  it("a stranger's failures lock out the stranger's address, not the owner", async () => {
    const s = await server(BEHIND_PROXY);
    const account = { email: email(), password: PASSWORD, name: 'Owner' };
    expect((await post(s, '/api/auth/signup', account, '203.0.113.10')).status).toBe(201);
    const guess = (i: number) => ({ email: account.email, password: `guess ${i}` });
    for (let i = 0; i < 5; i++) {
      expect((await post(s, '/api/auth/signin', guess(i), '198.51.100.66')).status).toBe(401);
    }
    const right = { email: account.email, password: PASSWORD };
    const stranger = await post(s, '/api/auth/signin', right, '198.51.100.66');
    expect(stranger.status).toBe(429);
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(s, '/api/auth/signin', right, '203.0.113.10')).status).toBe(200);
    expect(await limitHits(s, 'sign_in_attempts')).toBe(1);
  });

  it('counts sign-ins before the check: ten parallel guesses get five answers', async () => {
    const s = await server(BEHIND_PROXY);
    const account = { email: email(), password: PASSWORD, name: 'Owner' };
    expect((await post(s, '/api/auth/signup', account, '203.0.113.30')).status).toBe(201);
    const guesses = Array.from({ length: 10 }, (_, i) =>
      post(s, '/api/auth/signin', { email: account.email, password: `guess ${i}` }, '198.51.100.9'),
    );
    const statuses = (await Promise.all(guesses)).map((r) => r.status).sort((a, b) => a - b);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });

  it('beyond SIGN_IN_SLOW_AFTER failures from anywhere it slows down, never locks', async () => {
    const signIn = { ...DEFAULTS.signIn, slowAfter: 3, slowMaxMs: 100 };
    const s = await server({ ...BEHIND_PROXY, signIn });
    const account = { email: email(), password: PASSWORD, name: 'Owner' };
    expect((await post(s, '/api/auth/signup', account, '203.0.113.20')).status).toBe(201);
    for (let i = 0; i < 8; i++) {
      const res = await post(
        s,
        '/api/auth/signin',
        { email: account.email, password: `guess ${i}` },
        `198.51.100.${i + 1}`,
      );
      expect(res.status).toBe(401);
    }
    const right = { email: account.email, password: PASSWORD };
    expect((await post(s, '/api/auth/signin', right, '203.0.113.20')).status).toBe(200);
    expect(await limitHits(s, 'sign_in_slowdown')).toBeGreaterThanOrEqual(5);
  });

  it('refuses the most common passwords at sign-up, whatever their case', async () => {
    const s = await server();
    for (const password of ['password1', 'QWERTY123', 'iloveyou']) {
      const res = await post(s, '/api/auth/signup', { email: email(), password, name: 'A' }, '');
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatchObject({ code: 'WEAK_PASSWORD' });
    }
  });
});

describe('the waiting room', () => {
  const media = { audio: true, video: true };
  const ask = async (s: TestServer, roomId: string, localAddress: string) => {
    const c = await TestClient.connect(s.url, { localAddress });
    await c.request({ type: 'hello', version: PROTOCOL_VERSION });
    return c.request({ type: 'join', roomId, name: 'Guest', media });
  };

  it('holds WAITING_ROOM_MAX people, and WAITING_MAX_PER_ADDRESS from one address', async () => {
    const s = await server({ waitingMax: 3, waitingPerAddress: 2 });
    const { id, hostKey } = await s.createRoom({});
    const host = await TestClient.ready(s.url);
    await host.join(id, 'Host', hostKey);
    expect(await ask(s, id, '127.0.0.5')).toMatchObject({ type: 'waiting', position: 1 });
    expect(await ask(s, id, '127.0.0.5')).toMatchObject({ type: 'waiting', position: 2 });
    expect(await ask(s, id, '127.0.0.5')).toMatchObject({ code: ERROR_CODES.LIMIT_REACHED });
    expect(await ask(s, id, '127.0.0.6')).toMatchObject({ type: 'waiting', position: 3 });
    expect(await ask(s, id, '127.0.0.7')).toMatchObject({ code: ERROR_CODES.ROOM_FULL });
    expect(await limitHits(s, 'waiting_per_address')).toBe(1);
    expect(await limitHits(s, 'waiting_room')).toBe(1);
  });
});

describe('SFU objects per peer', () => {
  type Caps = { codecs: { mimeType: string; preferredPayloadType: number }[] };
  const SFU = {
    workers: 1,
    listenIp: '127.0.0.1',
    announcedIp: undefined,
    webRtcPortBase: 0,
    rtcMinPort: 46000,
    rtcMaxPort: 46999,
  };
  /** A room on the SFU from its second peer on: [host, guest] and the router's capabilities. */
  async function sfuRoom(sfu: Limits['sfu']) {
    const s = await startTestServer({ sfu: SFU, meshMaxPeers: 1, limits: { ...DEFAULTS, sfu } });
    servers.push(s);
    const { id, hostKey } = await s.createRoom();
    const a = await TestClient.ready(s.url);
    await a.join(id, 'A', hostKey);
    const b = await TestClient.ready(s.url);
    const joined = await b.join(id, 'B');
    const caps = joined.sfu?.routerRtpCapabilities as Caps;
    return { s, id, a, b, caps, recvId: joined.sfu?.recvTransport?.id };
  }
  const video = (caps: Caps, ssrc: number) => {
    const vp8 = caps.codecs.find((c) => c.mimeType === 'video/VP8');
    const codec = { mimeType: 'video/VP8', payloadType: vp8?.preferredPayloadType ?? 96 };
    return {
      mid: String(ssrc),
      codecs: [{ ...codec, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
      headerExtensions: [],
      encodings: [{ ssrc }],
      rtcp: { cname: `c${ssrc}`, reducedSize: true },
    };
  };
  const refused = { type: 'error', code: ERROR_CODES.LIMIT_REACHED };

  it('refuses a transport past SFU_MAX_TRANSPORTS_PER_PEER; replacing one is not more', async () => {
    const { s, b, recvId } = await sfuRoom({ transports: 1, producers: 4, consumers: 200 });
    expect(recvId).toBeDefined(); // the newcomer's receive transport came with `joined`
    expect(await b.request({ type: 'sfu-transport', direction: 'send' })).toMatchObject(refused);
    const again = await b.request({ type: 'sfu-transport', direction: 'recv' });
    expect(again).toMatchObject({ type: 'sfu-transport-created', direction: 'recv' });
    expect(await limitHits(s, 'sfu_transports')).toBe(1);
  });

  it('allows one producer per source and SFU_MAX_PRODUCERS_PER_PEER, and caps consumers', async () => {
    const { s, id, a, b, caps } = await sfuRoom({ transports: 4, producers: 2, consumers: 1 });
    const send = await a.request({ type: 'sfu-transport', direction: 'send' });
    const transportId = (send as { id: string }).id;
    const produce = (source: string, ssrc: number) =>
      a.request({
        type: 'sfu-produce',
        transportId,
        kind: 'video',
        rtpParameters: video(caps, ssrc),
        source,
      });
    const camera = await produce('camera', 1111);
    expect(camera).toMatchObject({ type: 'sfu-produced' });
    expect(await produce('camera', 2222)).toMatchObject(refused);
    expect(await produce('screen', 3333)).toMatchObject({ type: 'sfu-produced' });
    // Two producers held: a third source is over SFU_MAX_PRODUCERS_PER_PEER.
    const opus = caps.codecs.find((c) => c.mimeType === 'audio/opus');
    const audio = {
      ...video(caps, 4444),
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: opus?.preferredPayloadType ?? 100,
          clockRate: 48000,
          channels: 2,
          parameters: {},
          rtcpFeedback: [],
        },
      ],
    };
    const mic = await a.request({
      type: 'sfu-produce',
      transportId,
      kind: 'audio',
      rtpParameters: audio,
      source: 'mic',
    });
    expect(mic).toMatchObject(refused);
    const producerId = (camera as { producerId: string }).producerId;
    const consume = () => b.request({ type: 'sfu-consume', producerId, rtpCapabilities: caps });
    expect(await consume()).toMatchObject({ type: 'sfu-consumer' });
    expect(await consume()).toMatchObject(refused);
    expect(await limitHits(s, 'sfu_producers')).toBe(2);
    expect(await limitHits(s, 'sfu_consumers')).toBe(1);
    // The consumers a joiner gets with its admission stay within the limit too (2 producers).
    const c = await TestClient.ready(s.url);
    const joined = await c.request({
      type: 'join',
      roomId: id,
      name: 'C',
      media: { audio: true, video: true },
      receive: { rtpCapabilities: caps, videos: 16 },
    });
    expect(joined).toMatchObject({ type: 'joined', sfu: { consumers: [{ paused: false }] } });
    expect(await c.request({ type: 'sfu-consume', producerId, rtpCapabilities: caps })).toMatchObject(refused); // prettier-ignore
  });
});
