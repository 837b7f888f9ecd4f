// Issue 21, Web Push: a signed-in user's devices register their subscriptions, and the push
// notice channel delivers to them through a push service this test runs on loopback. The test
// decrypts each message itself (support/pushService.ts, from the RFCs) and checks the VAPID
// signature with jose, so nothing here trusts web-push to check web-push.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@parley/signaling';
import type { PushKeyResponse, SessionResponse } from '@parley/protocol';
import type { MeetingNotice } from '../../signaling/src/notices/channel.ts';
import { startPostgres } from '../../deploy/local/index.ts';
import type { LocalPostgres } from '../../deploy/local/index.ts';
import { decryptPush, newDevice, startPushService } from './support/pushService.ts';
import type { Device, PushRequest, PushService } from './support/pushService.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const NOW = Date.UTC(2026, 11, 7, 12, 50);
const notice = (url: string): MeetingNotice => ({
  kind: 'reminder',
  meeting: {
    id: 'meeting-1',
    title: 'Weekly sync',
    startsAt: NOW + 10 * 60_000,
    durationMin: 30,
    timeZone: 'Europe/Paris',
    url,
    organiser: 'Ada',
  },
});

let pg: LocalPostgres | undefined;
let service: PushService;
const servers: TestServer[] = [];
beforeAll(async () => {
  [pg, service] = await Promise.all([startPostgres(), startPushService()]);
}, 60_000);
afterAll(async () => {
  await service.close();
  await pg?.cleanup();
});
afterEach(async () => {
  service.received.length = 0;
  service.answer.clear();
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

type Engine = 'sqlite' | 'postgres';
const pushConfig = (extra = {}) => ({ ...loadConfig({}).push, httpLoopback: true, ...extra });

async function serverOn(engine: Engine, push = pushConfig(), extra = {}) {
  const server = await startTestServer({
    push,
    now: () => NOW,
    ...(engine === 'postgres' ? { databaseUrl: (pg as LocalPostgres).url } : {}),
    ...extra,
  });
  servers.push(server);
  return server;
}

let accounts = 0;
async function signUp(server: TestServer): Promise<SessionResponse> {
  const res = await fetch(`${server.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `push-${Date.now()}-${accounts++}@example.org`,
      password: 'correct horse battery staple',
      name: 'Ada Lovelace',
    }),
  });
  return (await res.json()) as SessionResponse;
}

function subscriptions(
  server: TestServer,
  token: string | undefined,
  method: string,
  body: unknown,
) {
  return fetch(`${server.url}/api/push/subscriptions`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

const subscribe = (server: TestServer, token: string, endpoint: string, device: Device) =>
  subscriptions(server, token, 'POST', { endpoint, expirationTime: null, keys: device.keys });

async function publicKeyOf(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/api/push/key`);
  expect(res.status).toBe(200);
  return ((await res.json()) as PushKeyResponse).publicKey;
}

/** The VAPID header (RFC 8292, 3): `vapid t=<JWT>, k=<public key>`; verified with that key. */
async function vapidClaims(request: PushRequest, publicKey: string, endpoint: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(
    request.headers.authorization ?? '',
  );
  expect(match?.[2]).toBe(publicKey);
  const point = Buffer.from(publicKey, 'base64url');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    'ES256',
  );
  const { payload } = await jwtVerify(match?.[1] ?? '', key, {
    audience: new URL(endpoint).origin,
    algorithms: ['ES256'],
  });
  return payload;
}

describe.each(['sqlite', 'postgres'] as const)('web push on %s', (engine) => {
  it('delivers an encrypted reminder signed with the server key to each device of the account', async () => {
    const server = await serverOn(engine);
    const { accessToken, user } = await signUp(server);
    const [phone, laptop] = [newDevice(), newDevice()];
    const endpoints = [`${service.url}/${engine}/phone`, `${service.url}/${engine}/laptop`];
    for (const [i, device] of [phone, laptop].entries()) {
      const res = await subscribe(server, accessToken, endpoints[i] as string, device);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ devices: i + 1, maxDevices: 10 });
    }
    const to = { email: user.email, userId: user.id };
    expect(server.push).toMatchObject({ name: 'push', enabled: true });
    expect(await server.push.reaches(to)).toBe(true);
    expect(await server.push.reaches({ email: 'guest@example.org', userId: null })).toBe(false);

    await server.push.send(to, notice(`${server.url}/r/abc-defg-hij`));

    expect(service.received.map((r) => r.path).sort()).toEqual(
      endpoints.map((e) => new URL(e).pathname).sort(),
    );
    const publicKey = await publicKeyOf(server);
    for (const request of service.received) {
      const device = request.path.endsWith('/phone') ? phone : laptop;
      expect(JSON.parse(decryptPush(request.body, device))).toEqual({
        title: 'Weekly sync',
        body: 'Starts Mon 7 Dec, 14:00 CET',
        url: `${server.url}/r/abc-defg-hij`,
      });
      expect(request.headers['content-encoding']).toBe('aes128gcm');
      // Kept until the meeting ends (10 + 30 minutes from now), and urgent: it is about to start.
      expect(request.headers.ttl).toBe(String(40 * 60));
      expect(request.headers.urgency).toBe('high');
      const claims = await vapidClaims(request, publicKey, `${service.url}${request.path}`);
      expect(claims.sub).toBe('mailto:parley@localhost');
      expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
      // The other device's keys cannot read it.
      const other = device === phone ? laptop : phone;
      expect(() => decryptPush(request.body, other)).toThrow();
    }
  });

  it('forgets a device its push service says is gone (410), and still reaches the others', async () => {
    const server = await serverOn(engine);
    const { accessToken, user } = await signUp(server);
    const [kept, gone] = [`${service.url}/${engine}/kept`, `${service.url}/${engine}/gone`];
    await subscribe(server, accessToken, kept, newDevice());
    await subscribe(server, accessToken, gone, newDevice());
    service.answer.set(`/${engine}/gone`, 410);
    const to = { email: user.email, userId: user.id };
    await server.push.send(to, notice(`${server.url}/r/abc-defg-hij`));
    service.received.length = 0;
    await server.push.send(to, notice(`${server.url}/r/abc-defg-hij`));
    expect(service.received.map((r) => r.path)).toEqual([`/${engine}/kept`]);

    // The last device gone: nothing delivered is an error, and the account is no longer reached.
    service.answer.set(`/${engine}/kept`, 404);
    await expect(server.push.send(to, notice(`${server.url}/r/x`))).rejects.toThrow(/404/);
    expect(await server.push.reaches(to)).toBe(false);
    await expect(server.push.send(to, notice(`${server.url}/r/x`))).rejects.toThrow(
      /no subscribed device/,
    );
  });
});

describe('web push devices over HTTP', () => {
  it('fails when no push service takes the message, and keeps the device (it may come back)', async () => {
    const server = await serverOn('sqlite');
    const { accessToken, user } = await signUp(server);
    await subscribe(server, accessToken, `${service.url}/down`, newDevice());
    service.answer.set('/down', 503);
    const to = { email: user.email, userId: user.id };
    await expect(server.push.send(to, notice(`${server.url}/r/x`))).rejects.toThrow(/503/);
    expect(await server.push.reaches(to)).toBe(true);
  });

  it('keeps the newest devices of an account, up to PUSH_MAX_DEVICES', async () => {
    const server = await serverOn('sqlite', pushConfig({ maxDevices: 2 }));
    const { accessToken, user } = await signUp(server);
    for (const name of ['one', 'two', 'three']) {
      const res = await subscribe(server, accessToken, `${service.url}/max/${name}`, newDevice());
      expect(await res.json()).toEqual({ devices: name === 'one' ? 1 : 2, maxDevices: 2 });
    }
    await server.push.send({ email: user.email, userId: user.id }, notice(`${server.url}/r/x`));
    expect(service.received.map((r) => r.path).sort()).toEqual(['/max/three', '/max/two']);
  });

  it('unsubscribes a device of mine only', async () => {
    const server = await serverOn('sqlite');
    const [ada, bo] = [await signUp(server), await signUp(server)];
    const endpoint = `${service.url}/mine`;
    await subscribe(server, ada.accessToken, endpoint, newDevice());
    const theirs = await subscriptions(server, bo.accessToken, 'DELETE', { endpoint });
    expect(theirs.status).toBe(404);
    const mine = await subscriptions(server, ada.accessToken, 'DELETE', { endpoint });
    expect(mine.status).toBe(204);
    expect(await server.push.reaches({ email: ada.user.email, userId: ada.user.id })).toBe(false);
    expect((await subscriptions(server, ada.accessToken, 'DELETE', { endpoint })).status).toBe(404);
  });

  it('refuses what it will not send to, saying why, and stores nothing', async () => {
    const server = await serverOn('sqlite', pushConfig({ httpLoopback: false }));
    const { accessToken, user } = await signUp(server);
    const device = newDevice();
    const notOnCurve = Buffer.alloc(65, 7);
    notOnCurve[0] = 4;
    const cases: [string | undefined, unknown, number, RegExp][] = [
      [
        undefined,
        { endpoint: 'https://push.example.org/1', keys: device.keys },
        401,
        /UNAUTHORIZED/,
      ],
      [accessToken, { endpoint: `${service.url}/x`, keys: device.keys }, 400, /https:\/\/ URL/],
      [accessToken, { endpoint: 'http://push.example.org/1', keys: device.keys }, 400, /https/],
      [
        accessToken,
        { endpoint: 'https://192.168.1.1/push', keys: device.keys },
        400,
        /not an address/,
      ],
      [
        accessToken,
        { endpoint: 'https://push.example.org/1', keys: device.keys },
        400,
        /known push service/,
      ],
      [
        accessToken,
        { endpoint: 'https://push.example.org/1', keys: { ...device.keys, auth: 'abc' } },
        400,
        /PushSubscription/,
      ],
      [
        accessToken,
        {
          endpoint: 'https://push.example.org/1',
          keys: { ...device.keys, p256dh: device.keys.p256dh.slice(1) },
        },
        400,
        /PushSubscription/,
      ],
      [
        accessToken,
        {
          endpoint: 'https://fcm.googleapis.com/fcm/send/1',
          keys: { ...device.keys, p256dh: notOnCurve.toString('base64url') },
        },
        400,
        /not a P-256 public key/,
      ],
      [accessToken, { endpoint: 'https://push.example.org/1' }, 400, /PushSubscription/],
    ];
    for (const [token, body, status, message] of cases) {
      const res = await subscriptions(server, token, 'POST', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(await res.text()).toMatch(message);
    }
    expect(await server.push.reaches({ email: user.email, userId: user.id })).toBe(false);
  });

  it('generates its VAPID keys once (0600), keeps them across a restart, and takes configured ones', async () => {
    const first = await startTestServer({ push: pushConfig() });
    const key = await publicKeyOf(first);
    const file = path.join(first.dataDir, 'vapid-keys.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).publicKey).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await first.close();
    const again = await serverOn('sqlite', pushConfig(), { dataDir: first.dataDir });
    expect(await publicKeyOf(again)).toBe(key);

    const env = {
      VAPID_PUBLIC_KEY: key,
      VAPID_PRIVATE_KEY: JSON.parse(readFileSync(file, 'utf8')).privateKey,
    };
    const configured = loadConfig(env).push;
    const elsewhere = await serverOn('sqlite', configured);
    expect(await publicKeyOf(elsewhere)).toBe(key);
  });
});
