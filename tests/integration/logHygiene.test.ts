import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UnsecuredJWT, decodeJwt } from 'jose';
import { ERROR_CODES, LIMITS } from '@parley/protocol';
import type { ServerMessage, SessionResponse } from '@parley/protocol';
import { AuthRoutes, createLog, Rooms } from '@parley/signaling';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const JWT_SECRET = 'log-hygiene-jwt-secret-0123456789abcdefghij';
const TURN_SECRET = 'a-known-secret';
const ACCOUNT_PASSWORD = 'account password 7f3c9a';
const WRONG_ACCOUNT_PASSWORD = 'wrong account password 51be02';
const ROOM_PASSWORD = 'room password 0c8e44';
const WRONG_ROOM_PASSWORD = 'wrong room password 9d2a71';
const NEW_ROOM_PASSWORD = 'new room password 3e7b18';
const media = { audio: true, video: true };

/** Every secret the flows below handle; none may appear in any log line. */
const secrets = new Set<string>([
  JWT_SECRET,
  TURN_SECRET,
  ACCOUNT_PASSWORD,
  WRONG_ACCOUNT_PASSWORD,
  ROOM_PASSWORD,
  WRONG_ROOM_PASSWORD,
  NEW_ROOM_PASSWORD,
]);
const lines: string[] = [];
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    // Everything, info included, goes to `lines`.
    log: createLog((line) => lines.push(line)),
    jwtSecret: JWT_SECRET,
    turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: TURN_SECRET },
    resumeWindowMs: 30_000,
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.dispose();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/** The refresh token from a response's Set-Cookie (`parley_refresh=<token>; ...`). */
function refreshToken(res: Response): string {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('parley_refresh=')) ?? '';
  const token = header.split(';')[0]?.split('=')[1] ?? '';
  expect(token.length).toBeGreaterThan(16);
  return token;
}

/** Keeps the secrets a session response carries. */
async function keepSession(res: Response): Promise<SessionResponse> {
  const body = (await res.json()) as SessionResponse;
  secrets.add(body.accessToken);
  secrets.add(refreshToken(res));
  return body;
}

/** Keeps the resume token and the minted TURN credentials of a `joined` or `ice-servers`. */
function keepJoined(m: ServerMessage): void {
  if (m.type === 'joined') secrets.add(m.resumeToken);
  if (m.type !== 'joined' && m.type !== 'ice-servers') return;
  for (const server of m.iceServers) if (server.credential) secrets.add(server.credential);
}

const joinMessage = (roomId: string, extra: Record<string, unknown> = {}) => ({
  type: 'join',
  roomId,
  name: 'Guest',
  media,
  ...extra,
});

describe('log hygiene', () => {
  it('writes no password, token or secret while accounts, rooms and calls handle them', async () => {
    // Accounts: sign up, a failed and a good sign-in, refresh by cookie, /api/me, sign out.
    const email = `hygiene-${Date.now()}@example.com`;
    const signUp = await post('/api/auth/signup', {
      email,
      password: ACCOUNT_PASSWORD,
      name: 'Ann',
    });
    expect(signUp.status).toBe(201);
    await keepSession(signUp);
    const refused = await post('/api/auth/signin', { email, password: WRONG_ACCOUNT_PASSWORD });
    expect(refused.status).toBe(401);
    const signIn = await post('/api/auth/signin', { email, password: ACCOUNT_PASSWORD });
    expect(signIn.status).toBe(200);
    const session = await keepSession(signIn);
    const refreshed = await post('/api/auth/refresh', undefined, {
      cookie: `parley_refresh=${refreshToken(signIn)}`,
    });
    expect(refreshed.status).toBe(200);
    const current = await keepSession(refreshed);
    const bearer = { authorization: `Bearer ${current.accessToken}` };
    expect((await fetch(`${server.url}/api/me`, { headers: bearer })).status).toBe(200);
    const forged = new UnsecuredJWT(decodeJwt(session.accessToken)).encode();
    secrets.add(forged);
    const forgedMe = await fetch(`${server.url}/api/me`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(forgedMe.status).toBe(401);

    // A password room owned by the account; its host key.
    const created = await post(
      '/api/rooms',
      { password: ROOM_PASSWORD, settings: { waitingRoom: false } },
      bearer,
    );
    expect(created.status).toBe(201);
    const room = (await created.json()) as { id: string; hostKey: string };
    secrets.add(room.hostKey);

    // Calls: host key, wrong and right room password, access tokens good and forged.
    const host = await TestClient.ready(server.url);
    keepJoined(
      await host.request(joinMessage(room.id, { hostKey: room.hostKey, password: ROOM_PASSWORD })),
    );
    const guest = await TestClient.ready(server.url);
    const wrong = await guest.request(joinMessage(room.id, { password: WRONG_ROOM_PASSWORD }));
    expect(wrong).toMatchObject({ code: ERROR_CODES.ROOM_NOT_FOUND });
    const forgedJoin = await guest.request(
      joinMessage(room.id, { password: ROOM_PASSWORD, accessToken: forged }),
    );
    expect(forgedJoin).toMatchObject({ code: ERROR_CODES.UNAUTHORIZED });
    const joined = await guest.request(
      joinMessage(room.id, { password: ROOM_PASSWORD, accessToken: current.accessToken }),
    );
    expect(joined).toMatchObject({ type: 'joined', role: 'host' });
    keepJoined(joined);
    keepJoined(await guest.request({ type: 'ice-refresh' }));
    if (joined.type !== 'joined') throw new Error('not joined');
    // TURN is on: the reply carries a credential minted from the TURN secret.
    expect(joined.iceServers.some((s) => s.credential)).toBe(true);

    // Resume: a dropped socket comes back with its token; a wrong token is refused.
    guest.ws.terminate();
    const back = await TestClient.ready(server.url);
    const resume = { type: 'resume', roomId: room.id, peerId: joined.peerId, lastSeq: 0 };
    const badToken = 'not-the-resume-token-000';
    secrets.add(badToken);
    expect(await back.request({ ...resume, resumeToken: badToken })).toMatchObject({
      code: ERROR_CODES.RESUME_FAILED,
    });
    const resumed = await back.request({ ...resume, resumeToken: joined.resumeToken });
    expect(resumed).toMatchObject({ type: 'joined', resumed: true });
    keepJoined(resumed);

    // Errors: bad JSON that carries secrets, oversize and invalid frames, failing handlers.
    back.send(`{"type":"join","password":"${ROOM_PASSWORD}","hostKey":"${room.hostKey}"`);
    await back.next((m) => m.type === 'error' && m.code === ERROR_CODES.BAD_JSON);
    const oversize = await TestClient.ready(server.url);
    oversize.send(`{"password":"${ROOM_PASSWORD}","x":"${'x'.repeat(LIMITS.MAX_PAYLOAD_BYTES)}"}`);
    await oversize.closed;
    const invalid = await TestClient.ready(server.url);
    invalid.ws.send(Buffer.concat([Buffer.from(ROOM_PASSWORD), Buffer.from([0xc3, 0x28])]), {
      binary: false,
    });
    await invalid.closed;
    await failingHandlers(room.id, room.hostKey, current.accessToken, email);
    await moderation();

    const signOut = await post('/api/auth/signout', undefined, {
      cookie: `parley_refresh=${refreshToken(refreshed)}`,
    });
    expect(signOut.status).toBe(204);
    await Promise.all([host.close(), back.close()]);

    // The log saw all of this (so the check below is not vacuous) and none of the secrets.
    const text = lines.join('');
    if (process.env.SHOW_LOG) console.log(text);
    for (const msg of [
      'account created',
      'sign-in refused',
      'handler failed',
      'http handler failed',
    ]) {
      expect(text, `expected a "${msg}" line`).toContain(msg);
    }
    for (const secret of secrets) {
      const leaks = lines.filter((l) => l.includes(secret));
      expect(leaks, `a secret (${secret.slice(0, 6)}...) is in the log`).toEqual([]);
    }
    // The injected failures quoted secrets: they were written, redacted.
    expect(text).toContain('[redacted]');
    lifecycleLines();
  });
});

/** One line per lifecycle event of a call, each with the room's and peer's ids by one name. */
const LIFECYCLE: Record<string, ('roomId' | 'peerId')[]> = {
  connected: [],
  joined: ['roomId', 'peerId'],
  waiting: ['roomId', 'peerId'],
  admitted: ['roomId', 'peerId'],
  denied: ['roomId', 'peerId'],
  'muted by host': ['roomId', 'peerId'],
  'room locked': ['roomId'],
  'password changed': ['roomId'],
  left: ['roomId', 'peerId'],
  'meeting ended': ['roomId'],
  'room closed': ['roomId'],
  'protocol error': [],
  disconnected: [],
};

function lifecycleLines(): void {
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const [msg, keys] of Object.entries(LIFECYCLE)) {
    const found = parsed.filter((l) => l.msg === msg);
    expect(found.length, `expected a "${msg}" line`).toBeGreaterThan(0);
    for (const key of keys) expect(found[0], `"${msg}" carries ${key}`).toHaveProperty(key);
  }
  // A host removed someone: the line says so, and by whom.
  expect(parsed.some((l) => l.msg === 'left' && l.reason === 'removed' && l.by)).toBe(true);
  // Protocol errors name their code, and once in a room, the room and the peer.
  expect(
    parsed.some((l) => l.msg === 'protocol error' && l.code === ERROR_CODES.FORBIDDEN && l.peerId),
  ).toBe(true);
  // One name for each id everywhere.
  expect(parsed.filter((l) => 'room' in l || 'peer' in l)).toEqual([]);
}

/**
 * A meeting with a waiting room, run by its host: admit, deny, mute, lock, a new password, a
 * removal, a refused request, then the end.
 */
async function moderation(): Promise<void> {
  const created = await post('/api/rooms', { password: ROOM_PASSWORD });
  const room = (await created.json()) as { id: string; hostKey: string };
  secrets.add(room.hostKey);
  const host = await TestClient.ready(server.url);
  keepJoined(await host.request(joinMessage(room.id, { hostKey: room.hostKey })));
  const guests = await Promise.all([1, 2].map(() => TestClient.ready(server.url)));
  const [ann, bob] = guests as [TestClient, TestClient];
  for (const [i, c] of guests.entries()) {
    const join = joinMessage(room.id, {
      password: ROOM_PASSWORD,
      deviceId: `hygiene-device-00${i}`,
    });
    expect(await c.request(join)).toMatchObject({ type: 'waiting' });
  }
  const lobby = await host.next((m) => m.type === 'lobby' && m.waiting.length === 2);
  const [annId, bobId] = lobby.type === 'lobby' ? lobby.waiting.map((w) => w.peerId) : [];
  expect(await host.request({ type: 'admit', peerId: annId })).toMatchObject({ type: 'ok' });
  keepJoined(await ann.next((m) => m.type === 'joined'));
  expect(await host.request({ type: 'deny', peerId: bobId })).toMatchObject({ type: 'ok' });
  const mute = { type: 'mute', peerId: annId, kind: 'audio' };
  expect(await host.request(mute)).toMatchObject({ type: 'ok' });
  const settings = { locked: true, password: NEW_ROOM_PASSWORD };
  expect(await host.request({ type: 'settings', settings })).toMatchObject({ type: 'settings' });
  expect(await ann.request({ type: 'end' })).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
  expect(await host.request({ type: 'remove', peerId: annId })).toMatchObject({ type: 'ok' });
  expect(await host.request({ type: 'end' })).toMatchObject({ type: 'ok' });
  await host.closed;
  await Promise.all([ann.close(), bob.close()]);
}

/**
 * Handlers that fail with an error quoting their input, the way a library error or an
 * exhaustiveness check (`unhandled message {...}`) does: the server logs the error, and the
 * log must not carry the secrets in it. The failures are injected: no real handler fails on
 * demand.
 */
async function failingHandlers(
  roomId: string,
  hostKey: string,
  accessToken: string,
  email: string,
): Promise<void> {
  const door = vi.spyOn(Rooms.prototype, 'door').mockImplementationOnce(async () => {
    throw new Error(
      `unhandled message ${JSON.stringify({ type: 'join', roomId, hostKey, password: ROOM_PASSWORD, accessToken })}`,
    );
  });
  const c = await TestClient.ready(server.url);
  const reply = await c.request(joinMessage(roomId, { password: ROOM_PASSWORD, accessToken }));
  expect(reply).toMatchObject({ type: 'error', code: ERROR_CODES.INTERNAL });
  expect(door).toHaveBeenCalled();
  await c.close();

  const signIn = vi.spyOn(AuthRoutes.prototype, 'signIn').mockImplementationOnce(async () => {
    throw new Error(`cannot read body {"email":"${email}","password":"${ACCOUNT_PASSWORD}"}`);
  });
  const res = await post(
    '/api/auth/signin',
    { email, password: ACCOUNT_PASSWORD },
    {
      authorization: `Bearer ${accessToken}`,
    },
  );
  expect(res.status).toBe(500);
  expect(signIn).toHaveBeenCalled();
  // And the query string of a failing request: the server logs the path only, and would
  // redact what a query carries anyway.
  const withQuery = vi.spyOn(AuthRoutes.prototype, 'signIn').mockImplementationOnce(async () => {
    throw new Error('failed');
  });
  const q = await post(
    `/api/auth/signin?password=${encodeURIComponent(ACCOUNT_PASSWORD)}&hostKey=${hostKey}`,
    {
      email,
      password: ACCOUNT_PASSWORD,
    },
  );
  expect(q.status).toBe(500);
  expect(withQuery).toHaveBeenCalled();
  vi.restoreAllMocks();
}
