import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '@parley/hls-gateway';
import type { OwnedRoom, SessionResponse, UserInfo } from '@parley/protocol';
import { deriveViewerSecret } from '@parley/signaling';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const PASSWORD = 'correct horse battery staple';
let nextUser = 0;
const newEmail = (): string => `user${++nextUser}-${Date.now()}@example.com`;

/** The `parley_refresh=<token>` pair of a response's Set-Cookie, and the whole header. */
function refreshCookie(res: Response): { pair: string; header: string } {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('parley_refresh=')) ?? '';
  return { pair: header.split(';')[0] ?? '', header };
}

/** A JWT built by hand: HS256 with `key` unless alg is 'none'. */
function handMadeJwt(header: object, payload: object, key = ''): string {
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unsigned = `${b64(header)}.${b64(payload)}`;
  const alg = (header as { alg?: string }).alg;
  if (alg === 'none') return `${unsigned}.`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

describe('accounts', () => {
  let server: TestServer;
  const post = (p: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(server.url + p, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const signUp = async (name = 'Ada') => {
    const email = newEmail();
    const res = await post('/api/auth/signup', { email, password: PASSWORD, name });
    expect(res.status).toBe(201);
    return { email, res, body: (await res.json()) as SessionResponse, cookie: refreshCookie(res) };
  };
  const errorCode = async (res: Response) =>
    ((await res.json()) as { error: { code: string } }).error.code;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.dispose();
  });

  it('signs up, knows the user, and lists the rooms they create', async () => {
    const { email, body, cookie } = await signUp();
    expect(body).toMatchObject({ expiresIn: 900, user: { email, name: 'Ada' } });
    expect(cookie.header).toMatch(
      /; Path=\/api\/auth; Max-Age=2592000; HttpOnly; SameSite=Strict$/,
    );
    const me = await get('/api/me', bearer(body.accessToken));
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: UserInfo }).user).toEqual(body.user);

    const created = await post('/api/rooms', { title: 'Standup' }, bearer(body.accessToken));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await server.createRoom(); // anonymous: nobody's
    const mine = await get('/api/me/rooms', bearer(body.accessToken));
    const { rooms } = (await mine.json()) as { rooms: OwnedRoom[] };
    expect(rooms).toEqual([{ id, title: 'Standup', createdAt: expect.any(Number) as number }]);
  });

  it('refuses to create a room for an invalid bearer rather than make it anonymous', async () => {
    const res = await post('/api/rooms', {}, bearer('not-a-token'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await errorCode(res)).toBe('UNAUTHORIZED');
  });

  it('refuses a taken email (whatever its case) with 409', async () => {
    const { email } = await signUp();
    const res = await post('/api/auth/signup', {
      email: email.toUpperCase(),
      password: PASSWORD,
      name: 'Eve',
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: 'EMAIL_TAKEN', message: expect.any(String) as string },
    });
  });

  it('validates sign-up bodies', async () => {
    const bad = [
      { email: 'not-an-email', password: PASSWORD, name: 'A' },
      { email: newEmail(), password: 'short', name: 'A' },
      { email: newEmail(), password: 'x'.repeat(257), name: 'A' },
      { email: newEmail(), password: PASSWORD, name: '  ' },
      { email: newEmail(), password: PASSWORD, name: 'x'.repeat(65) },
      { email: newEmail(), password: PASSWORD },
      { email: newEmail(), password: PASSWORD, name: 'A', admin: true },
    ];
    for (const body of bad) {
      const res = await post('/api/auth/signup', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await errorCode(res)).toBe('BAD_MESSAGE');
    }
    const notJson = await post('/api/auth/signup', undefined);
    expect(notJson.status).toBe(400);
    // A cross-site form can send text/plain, never application/json: refused (login CSRF).
    const form = await fetch(`${server.url}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ email: newEmail(), password: PASSWORD }),
    });
    expect(form.status).toBe(415);
    expect((await get('/api/auth/signup')).status).toBe(405);
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const { email } = await signUp();
    const wrong = await post('/api/auth/signin', { email, password: 'wrong password' });
    const unknown = await post('/api/auth/signin', { email: newEmail(), password: PASSWORD });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    const right = await post('/api/auth/signin', {
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    expect(right.status).toBe(200);
    expect(refreshCookie(right).pair).toMatch(/^parley_refresh=[A-Za-z0-9_-]{43}$/);
  });

  it('rate-limits sign-in failures per email: the 6th attempt gets 429 and Retry-After', async () => {
    const { email } = await signUp();
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/auth/signin', { email, password: `guess ${i}` });
      expect(res.status).toBe(401);
    }
    const limited = await post('/api/auth/signin', { email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(await errorCode(limited)).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Another account from the same address is not locked out.
    const other = await signUp();
    const ok = await post('/api/auth/signin', { email: other.email, password: PASSWORD });
    expect(ok.status).toBe(200);
  });

  it('rotates the refresh token; replaying a spent one revokes the whole family', async () => {
    const { cookie: first } = await signUp();
    const refreshed = await post('/api/auth/refresh', undefined, { cookie: first.pair });
    expect(refreshed.status).toBe(200);
    const session = (await refreshed.json()) as SessionResponse;
    expect((await get('/api/me', bearer(session.accessToken))).status).toBe(200);
    const second = refreshCookie(refreshed);
    expect(second.pair).not.toBe(first.pair);

    const replay = await post('/api/auth/refresh', undefined, { cookie: first.pair });
    expect(replay.status).toBe(401);
    expect(refreshCookie(replay).header).toMatch(/^parley_refresh=; .*Max-Age=0/);
    const afterTheft = await post('/api/auth/refresh', undefined, { cookie: second.pair });
    expect(afterTheft.status).toBe(401);
    expect((await post('/api/auth/refresh')).status).toBe(401);
  });

  it('signs out: 204, the cookie is cleared and the refresh token is dead', async () => {
    const { cookie } = await signUp();
    const out = await post('/api/auth/signout', undefined, { cookie: cookie.pair });
    expect(out.status).toBe(204);
    expect(refreshCookie(out).header).toMatch(/^parley_refresh=; Path=\/api\/auth; Max-Age=0/);
    expect((await post('/api/auth/refresh', undefined, { cookie: cookie.pair })).status).toBe(401);
    expect((await post('/api/auth/signout')).status).toBe(204);
  });

  it('marks the cookie Secure when the request came over TLS via a proxy', async () => {
    const res = await post(
      '/api/auth/signup',
      { email: newEmail(), password: PASSWORD, name: 'A' },
      { 'x-forwarded-proto': 'https' },
    );
    expect(refreshCookie(res).header).toMatch(/; Secure$/);
  });

  it('refuses forged, expired and missing bearers on /api/me', async () => {
    const { body } = await signUp();
    const key = readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: body.user.id, name: 'Ada', iss: 'parley', aud: 'parley' };
    const bad = [
      handMadeJwt({ alg: 'none', typ: 'JWT' }, { ...claims, exp: now + 600 }),
      handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 5 }, key),
      handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now + 600 }, 'wrong key'),
    ];
    // The hand-made signer is right: the same claims, unexpired, are accepted.
    const good = handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now + 600 }, key);
    expect((await get('/api/me', bearer(good))).status).toBe(200);
    for (const token of bad) {
      const res = await get('/api/me', bearer(token));
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('UNAUTHORIZED');
    }
    expect((await get('/api/me')).status).toBe(401);
    expect((await get('/api/me/rooms')).status).toBe(401);
  });

  it('hides a private room unless the viewer token is given', async () => {
    const { id } = await server.createRoom({ password: 'room secret' });
    const unknown = await get('/api/rooms/AAAAAAAAAAAAAAAAAAAAAA');
    const hidden = await get(`/api/rooms/${id}`);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).toBe(await unknown.text());
    const checkIn = { viewerId: 'viewer-0001' };
    const broadcast = server.broadcastIdOf(id);
    expect((await post(`/api/broadcasts/${broadcast}/viewers`, checkIn)).status).toBe(404);

    const key = readFileSync(path.join(server.dataDir, 'jwt-secret'), 'utf8').trim();
    const secret = deriveViewerSecret(new TextEncoder().encode(key));
    const token = signViewerToken(id, secret, 3600);
    expect((await get(`/api/rooms/${id}?t=${token}`)).status).toBe(200);
    expect((await post(`/api/broadcasts/${broadcast}/viewers?t=${token}`, checkIn)).status).toBe(
      200,
    );
    expect((await get(`/api/rooms/${id}?t=${signViewerToken(id, 'other', 3600)}`)).status).toBe(
      404,
    );
    const { id: open } = await server.createRoom();
    expect((await get(`/api/rooms/${open}`)).status).toBe(200);
  });
});

describe('accounts across a restart', () => {
  it('keeps sessions: same jwt-secret, same refresh tokens', async () => {
    const first = await startTestServer();
    const res = await fetch(`${first.url}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: newEmail(), password: PASSWORD, name: 'Ada' }),
    });
    const session = (await res.json()) as SessionResponse;
    const cookie = refreshCookie(res).pair;
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const me = await fetch(`${second.url}/api/me`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      expect(me.status).toBe(200);
      const refreshed = await fetch(`${second.url}/api/auth/refresh`, {
        method: 'POST',
        headers: { cookie },
      });
      expect(refreshed.status).toBe(200);
    } finally {
      await second.dispose();
    }
  });
});

describe('sign-up rate limit', () => {
  it('allows 30 sign-ups per address per hour', async () => {
    const server = await startTestServer();
    try {
      const signUp = () =>
        fetch(`${server.url}/api/auth/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: newEmail(), password: PASSWORD, name: 'A' }),
        });
      const statuses = await Promise.all(
        Array.from({ length: 30 }, signUp).map(async (r) => (await r).status),
      );
      expect(statuses.every((s) => s === 201)).toBe(true);
      const limited = await signUp();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(3000);
    } finally {
      await server.dispose();
    }
  });
});
