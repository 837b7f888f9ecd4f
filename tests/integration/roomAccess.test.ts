import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const media = { audio: true, video: true };

async function server(dataDir?: string): Promise<TestServer> {
  const s = await startTestServer(dataDir ? { dataDir } : {});
  servers.push(s);
  return s;
}

/** A client whose socket comes from `localAddress` (any 127.x address is loopback on Linux). */
async function clientFrom(url: string, localAddress = '127.0.0.1'): Promise<TestClient> {
  const client = await TestClient.connect(url, { localAddress });
  await client.request({ type: 'hello', version: PROTOCOL_VERSION });
  return client;
}

const join = (roomId: string, extra: Record<string, unknown> = {}) => ({
  type: 'join',
  roomId,
  name: 'Guest',
  media,
  ...extra,
});

/** The error a reply carries, without its rid (which differs per request). */
const errorOf = (m: object) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'rid'));

describe('room passwords', () => {
  it('a wrong or missing password gets exactly the answer an unknown room gets', async () => {
    const s = await server();
    const { id } = await s.createRoom({
      password: 'open sesame',
      settings: { waitingRoom: false },
    });
    const c = await clientFrom(s.url);
    const unknown = errorOf(await c.request(join('U'.repeat(22))));
    const unknownWithPassword = errorOf(await c.request(join('U'.repeat(22), { password: 'x' })));
    const missing = errorOf(await c.request(join(id)));
    const wrong = errorOf(await c.request(join(id, { password: 'open says me' })));
    expect(unknown).toMatchObject({ type: 'error', code: ERROR_CODES.ROOM_NOT_FOUND });
    for (const answer of [unknownWithPassword, missing, wrong]) expect(answer).toEqual(unknown);
    const right = await c.request(join(id, { password: 'open sesame' }));
    expect(right).toMatchObject({ type: 'joined', settings: { hasPassword: true } });
    expect(JSON.stringify(right)).not.toContain('open sesame');
  });

  it('wrong guesses are limited per room and client: ten lock out that client, not the room', async () => {
    const s = await server();
    const body = { password: 'the right one', settings: { waitingRoom: false } };
    const [x, y] = [await s.createRoom(body), await s.createRoom(body)];
    const a = await clientFrom(s.url, '127.0.0.1');
    const b = await clientFrom(s.url, '127.0.0.2');
    for (let i = 0; i < 10; i++) {
      const reply = await a.request(join(x.id, { password: `guess ${i}` }));
      expect(reply).toMatchObject({ code: ERROR_CODES.ROOM_NOT_FOUND });
    }
    // Even the right password is refused now, for this client in this room ...
    const limited = { code: ERROR_CODES.RATE_LIMITED };
    expect(await a.request(join(x.id, { password: 'the right one' }))).toMatchObject(limited);
    // ... while another guest still gets in (issue #14: one client cannot lock everyone out),
    expect(await b.request(join(x.id, { password: 'the right one' }))).toMatchObject({
      type: 'joined',
    });
    // ... and the guesser still gets into another room (30 tries per address across rooms).
    expect(await a.request(join(y.id, { password: 'the right one' }))).toMatchObject({
      type: 'joined',
    });
    // The host is not locked out of their own room (even from the guesser's address).
    const fromA = await clientFrom(s.url, '127.0.0.1');
    const host = await fromA.request(join(x.id, { hostKey: x.hostKey }));
    expect(host).toMatchObject({ type: 'joined', role: 'host' });
  });

  it('the host sets and removes the password; settings persist across a restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-access-'));
    dirs.push(dataDir);
    const first = await startTestServer({ dataDir });
    const { id, hostKey } = await first.createRoom();
    const host = await clientFrom(first.url);
    await host.request(join(id, { hostKey, name: 'Host' }));
    const set = await host.request({
      type: 'settings',
      settings: { password: 'p4ssword', chat: false, screenShare: false },
    });
    expect(set).toMatchObject({
      type: 'settings',
      settings: { hasPassword: true, chat: false, screenShare: false, waitingRoom: false },
    });
    expect(JSON.stringify(set)).not.toContain('p4ssword');
    await first.close();

    const second = await server(dataDir);
    const c = await clientFrom(second.url);
    expect(await c.request(join(id))).toMatchObject({ code: ERROR_CODES.ROOM_NOT_FOUND });
    const joined = await c.request(join(id, { password: 'p4ssword' }));
    expect(joined).toMatchObject({
      type: 'joined',
      settings: { hasPassword: true, chat: false, screenShare: false },
    });
    const h = await clientFrom(second.url);
    await h.request(join(id, { hostKey, name: 'Host', password: 'p4ssword' }));
    await h.request({ type: 'settings', settings: { password: null } });
    const d = await clientFrom(second.url);
    expect(await d.request(join(id))).toMatchObject({
      type: 'joined',
      settings: { hasPassword: false },
    });
  });

  it('hosts of a private room get the watch-link token; guests never do', async () => {
    const s = await server();
    const { id, hostKey } = await s.createRoom({ settings: { waitingRoom: false } });
    const host = await clientFrom(s.url);
    expect(await host.request(join(id, { hostKey }))).not.toHaveProperty('watchToken');
    const set = await host.request({ type: 'settings', settings: { password: 'pw-12345' } });
    expect(set).toMatchObject({ type: 'settings', watchToken: expect.stringMatching(/^\d+\./) });
    const guest = await clientFrom(s.url);
    expect(await guest.request(join(id, { password: 'pw-12345' }))).not.toHaveProperty(
      'watchToken',
    );
    const again = await clientFrom(s.url);
    const rejoined = await again.request(join(id, { hostKey }));
    expect(rejoined).toMatchObject({ role: 'host', watchToken: expect.any(String) });
    const token = (rejoined as { watchToken: string }).watchToken;
    expect((await fetch(`${s.url}/api/rooms/${id}`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/rooms/${id}?t=${encodeURIComponent(token)}`)).status).toBe(
      200,
    );
  });

  it('rooms are created with the safe defaults: waiting room on, chat and sharing allowed', async () => {
    const s = await server();
    const { id, hostKey } = await s.createRoom({});
    const host = await clientFrom(s.url);
    expect(await host.request(join(id, { hostKey }))).toMatchObject({
      settings: {
        waitingRoom: true,
        locked: false,
        screenShare: true,
        chat: true,
        hasPassword: false,
      },
    });
  });
});

describe('signed-in owners', () => {
  it('the account that created a room is its host on any device, without key or password', async () => {
    const s = await server();
    const post = async (url: string, body: unknown, token?: string) =>
      fetch(`${s.url}${url}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const signup = await post('/api/auth/signup', {
      email: 'owner@example.test',
      password: 'correct horse battery',
      name: 'Owner',
    });
    const { accessToken } = (await signup.json()) as { accessToken: string };
    const created = await post('/api/rooms', { password: 'secret room' }, accessToken);
    const { id } = (await created.json()) as { id: string };
    const owner = await clientFrom(s.url);
    expect(await owner.request(join(id, { accessToken, name: 'Owner' }))).toMatchObject({
      type: 'joined',
      role: 'host',
    });
    // Someone else's (forged) token gets a typed refusal, not a seat.
    const forged = `${accessToken.slice(0, -4)}AAAA`;
    const other = await clientFrom(s.url);
    expect(
      await other.request(join(id, { accessToken: forged, password: 'secret room' })),
    ).toMatchObject({
      code: ERROR_CODES.UNAUTHORIZED,
    });
  });
});
