import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  ERROR_CODES,
  LIMITS,
  PROTOCOL_VERSION,
  ROOM_ID_PATTERN,
} from '@parley/protocol';
import type { SessionResponse } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/** The HS256 key the server signs access tokens with (config JWT_SECRET, >= 32 characters). */
const JWT_SECRET = 'hardening-test-jwt-secret-0123456789abcdef';
const ALLOWED_ORIGIN = 'https://meet.example.org';
const media = { audio: true, video: true };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ jwtSecret: JWT_SECRET, allowedOrigins: [ALLOWED_ORIGIN] });
});
afterAll(() => server.dispose());

/** The HTTP status an upgrade to /ws gets with this Origin (101 when the socket opens). */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, origin ? { origin } : {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/**
 * Sends `message` with request id `rid` and resolves with the raw text of the frame that
 * answers it: two answers can then be compared byte for byte.
 */
function rawReply(client: TestClient, message: object, rid: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to rid ${rid}`)), 10_000);
    const onMessage = (data: Buffer): void => {
      const text = data.toString('utf8');
      if ((JSON.parse(text) as { rid?: number }).rid !== rid) return;
      clearTimeout(timer);
      client.ws.off('message', onMessage);
      resolve(text);
    };
    client.ws.on('message', onMessage);
    client.send({ ...message, rid });
  });
}

describe('frame size', () => {
  it('reads a frame of exactly LIMITS.MAX_PAYLOAD_BYTES and closes one a byte larger with 1009', async () => {
    const c = await TestClient.ready(server.url);
    c.send(' '.repeat(LIMITS.MAX_PAYLOAD_BYTES - 2) + '{}');
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: ERROR_CODES.BAD_MESSAGE,
    });
    c.send('x'.repeat(LIMITS.MAX_PAYLOAD_BYTES + 1));
    expect((await c.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('closes with 1009 before hello, for binary frames, and for a message split in small fragments', async () => {
    const before = await TestClient.connect(server.url);
    before.send('{"type":"hello","version":1,"x":"' + 'a'.repeat(LIMITS.MAX_PAYLOAD_BYTES) + '"}');
    expect((await before.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);

    const binary = await TestClient.ready(server.url);
    binary.ws.send(Buffer.alloc(LIMITS.MAX_PAYLOAD_BYTES + 1), { binary: true });
    expect((await binary.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);

    // Each fragment is small; the message they add up to is not.
    const fragmented = await TestClient.ready(server.url);
    const chunk = 'y'.repeat(16 * 1024);
    for (let i = 0; i < 5; i++) fragmented.ws.send(chunk, { fin: i === 4 });
    expect((await fragmented.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('keeps serving others', async () => {
    const { id } = await server.createRoom();
    const c = await TestClient.ready(server.url);
    expect((await c.join(id, 'after oversize')).type).toBe('joined');
    await c.close();
  });
});

describe('Origin allow-list', () => {
  it('refuses a foreign Origin with 403 on upgrade', async () => {
    const { port } = server;
    const foreign = [
      'https://evil.example',
      'null',
      `http://127.0.0.1:${port}.evil.example`,
      `http://127.0.0.1:${port + 1}`,
      `http://evil.example/?${ALLOWED_ORIGIN}`,
      `${ALLOWED_ORIGIN}.evil.example`,
      'not a url',
    ];
    for (const origin of foreign) expect(await upgradeStatus(server.url, origin), origin).toBe(403);
  });

  it('lets same-origin pages, allowed origins and clients without Origin connect', async () => {
    expect(await upgradeStatus(server.url, server.url)).toBe(101);
    expect(await upgradeStatus(server.url, ALLOWED_ORIGIN)).toBe(101);
    expect(await upgradeStatus(server.url, `${ALLOWED_ORIGIN}/some/page`)).toBe(101);
    expect(await upgradeStatus(server.url, undefined)).toBe(101);
  });
});

describe('access tokens on join', () => {
  let session: SessionResponse;
  let roomId: string;

  beforeAll(async () => {
    const signup = await fetch(`${server.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `owner-${Date.now()}@example.com`,
        password: 'a long enough password',
        name: 'Owner',
      }),
    });
    expect(signup.status).toBe(201);
    session = (await signup.json()) as SessionResponse;
    const room = await fetch(`${server.url}/api/rooms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${session.accessToken}`,
      },
      body: JSON.stringify({ settings: { waitingRoom: false } }),
    });
    expect(room.status).toBe(201);
    roomId = ((await room.json()) as { id: string }).id;
  });

  const joinWith = async (accessToken: string) => {
    const c = await TestClient.ready(server.url);
    const reply = await c.request({ type: 'join', roomId, name: 'Someone', media, accessToken });
    return { c, reply };
  };

  /** The real token's claims, re-issued by whoever the test pretends to be. */
  const claims = (): JWTPayload => decodeJwt(session.accessToken);
  const now = (): number => Math.floor(Date.now() / 1000);
  const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);
  const forged: Record<string, () => Promise<string>> = {
    'alg none': async () => new UnsecuredJWT(claims()).encode(),
    'a wrong key': () =>
      new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(key('x'.repeat(40))),
    expired: () =>
      new SignJWT({ ...claims(), iat: now() - 3600, exp: now() - 60 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(key(JWT_SECRET)),
    'another algorithm with the right key': () =>
      new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(key(JWT_SECRET)),
    'a changed payload under the real signature': async () => {
      const [header, , signature] = session.accessToken.split('.');
      const payload = Buffer.from(JSON.stringify({ ...claims(), sub: 'someone-else' }));
      return `${header}.${payload.toString('base64url')}.${signature}`;
    },
    'not a JWT': async () => 'garbage',
  };

  it('makes the owner host with the real token (the forgeries below differ only in what they break)', async () => {
    const { c, reply } = await joinWith(session.accessToken);
    expect(reply).toMatchObject({ type: 'joined', role: 'host' });
    await c.close();
  });

  it.each(Object.keys(forged))(
    'refuses a token with %s: typed UNAUTHORIZED, not joined',
    async (kind) => {
      const token = await forged[kind]!();
      const { c, reply } = await joinWith(token);
      expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.UNAUTHORIZED, ref: 'join' });
      // Refused, not thrown out: the socket still answers and was never admitted anywhere.
      expect((await c.request({ type: 'ping' })).type).toBe('pong');
      // (The owner's own join above may still be leaving: wait for that, not for this one.)
      await eventually(async () => {
        const status = (await (await fetch(`${server.url}/api/rooms/${roomId}`)).json()) as {
          admitted: number;
        };
        return status.admitted === 0;
      });
      await c.close();
    },
  );
});

describe('room ids', () => {
  it('are 22 base64url characters of 128 random bits: 1,000 new ids are all distinct', async () => {
    const ids: string[] = [];
    const hostKeys = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => server.createRoom()));
      for (const { id, hostKey } of batch) {
        ids.push(id);
        hostKeys.add(hostKey);
      }
    }
    expect(new Set(ids).size).toBe(1000);
    expect(hostKeys.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
    // Every one of the 128 bits is set in about half the ids (6 standard deviations of slack):
    // a counter, a timestamp or a short random part would leave bits stuck.
    const bytes = ids.map((id) => Buffer.from(id, 'base64url'));
    for (let bit = 0; bit < 128; bit++) {
      const ones = bytes.filter((b) => ((b[bit >> 3] as number) >> (7 - (bit & 7))) & 1).length;
      expect(ones / ids.length, `bit ${bit}`).toBeGreaterThan(0.4);
      expect(ones / ids.length, `bit ${bit}`).toBeLessThan(0.6);
    }
  });

  it('answers 200 guessed ids with ROOM_NOT_FOUND (and 404 over HTTP)', async () => {
    const guesses = Array.from({ length: 200 }, () => randomBytes(16).toString('base64url'));
    for (const g of guesses) expect(g).toMatch(ROOM_ID_PATTERN);
    // Two sockets of 100: one socket's default rate limit has a burst of 200 messages.
    const sockets = [await TestClient.ready(server.url), await TestClient.ready(server.url)];
    const replies = await Promise.all(
      guesses.map((roomId, i) =>
        sockets[i % 2]!.request({ type: 'join', roomId, name: 'Guesser', media }),
      ),
    );
    for (const reply of replies) {
      expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.ROOM_NOT_FOUND });
    }
    const statuses = await Promise.all(
      guesses.slice(0, 50).map(async (g) => (await fetch(`${server.url}/api/rooms/${g}`)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([404]));
    await Promise.all(sockets.map((c) => c.close()));
  });
});

describe("a room's existence is not revealed to a wrong password", () => {
  const PASSWORD = 'the right password';
  const unknownId = (): string => randomBytes(16).toString('base64url');

  it('a wrong or missing password and an unknown room get byte-identical errors', async () => {
    const { id } = await server.createRoom({
      password: PASSWORD,
      settings: { waitingRoom: false },
    });
    const nobody = unknownId();
    const a = await TestClient.ready(server.url);
    const b = await TestClient.ready(server.url);
    const join = (roomId: string, password?: string) => ({
      type: 'join',
      roomId,
      name: 'Guesser',
      media,
      ...(password === undefined ? {} : { password }),
    });
    const wrong = await rawReply(a, join(id, 'a wrong password'), 7);
    const unknown = await rawReply(b, join(nobody, 'a wrong password'), 7);
    expect(JSON.parse(wrong)).toMatchObject({ type: 'error', code: ERROR_CODES.ROOM_NOT_FOUND });
    expect(wrong).toBe(unknown);
    expect(await rawReply(a, join(id), 8)).toBe(await rawReply(b, join(nobody), 8));
    // The right password does get in: the refusals above were about the password.
    expect(JSON.parse(await rawReply(a, join(id, PASSWORD), 9))).toMatchObject({ type: 'joined' });
    await Promise.all([a.close(), b.close()]);
  });

  it('GET /api/rooms/<id> and the viewer check-in answer a password room like an unknown one', async () => {
    const { id } = await server.createRoom({ password: PASSWORD });
    const nobody = unknownId();
    const answer = async (res: Response) => ({
      status: res.status,
      type: res.headers.get('content-type'),
      body: await res.text(),
    });
    const statusOf = (room: string) => fetch(`${server.url}/api/rooms/${room}`).then(answer);
    const checkIn = (room: string) =>
      fetch(`${server.url}/api/broadcasts/${server.broadcastIdOf(room)}/viewers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ viewerId: 'viewer-12345678' }),
      }).then(answer);
    const hidden = await statusOf(id);
    expect(hidden.status).toBe(404);
    expect(hidden).toEqual(await statusOf(nobody));
    expect(await checkIn(id)).toEqual(await checkIn(nobody));
  });

  it('repeated wrong guesses are answered the same way as repeated guesses of an unknown id', async () => {
    // Two fresh servers, so each sequence starts from the same limiter state: the rate limit on
    // wrong passwords must not start answering differently for a room that exists.
    const sequence = async (withRoom: boolean): Promise<string[]> => {
      const s = await startTestServer();
      try {
        const roomId = withRoom
          ? (await s.createRoom({ password: PASSWORD, settings: { waitingRoom: false } })).id
          : unknownId();
        const c = await TestClient.ready(s.url);
        const out: string[] = [];
        for (let i = 0; i < 25; i++) {
          const reply = await c.request({
            type: 'join',
            roomId,
            name: 'G',
            media,
            password: `no ${i}`,
          });
          // Countdowns may differ by a second between the two servers; the rest may not.
          out.push(JSON.stringify({ ...reply, rid: 0 }).replace(/\d+ s\b/g, 'N s'));
        }
        await c.close();
        return out;
      } finally {
        await s.dispose();
      }
    };
    const [existing, unknown] = [await sequence(true), await sequence(false)];
    expect(existing).toEqual(unknown);
    // The limiter was reached on the way (wrong guesses are rate-limited), and answered alike.
    expect(existing.at(-1)).toContain(ERROR_CODES.RATE_LIMITED);
  });
});

describe('after all of that', () => {
  it('is still up and answering hello', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const c = await TestClient.connect(server.url);
    expect((await c.request({ type: 'hello', version: PROTOCOL_VERSION })).type).toBe('welcome');
    await c.close();
  });
});
