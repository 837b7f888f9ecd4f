// Bans hold against a client that picks a new deviceId (#14): the server issues each browser a
// signed guest identity (an HttpOnly cookie on the WebSocket upgrade) and bans key on it.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES, PROTOCOL_VERSION } from '@parley/protocol';
import type { ServerMessage } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: true };
let devices = 0;
const freshDevice = (): string => `device-${String(++devices).padStart(16, '0')}`;

/** The Set-Cookie of a WebSocket upgrade (undefined when the server sent none). */
function upgradeCookie(baseUrl: string, cookie?: string): Promise<string | undefined> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, {
    headers: cookie ? { cookie } : {},
  });
  return new Promise((resolve, reject) => {
    ws.once('upgrade', (res) => {
      resolve(res.headers['set-cookie']?.[0]);
      ws.close();
    });
    ws.once('error', reject);
  });
}

/** `name=value` of a Set-Cookie, as a browser sends it back. */
const cookieOf = (setCookie: string | undefined): string => setCookie?.split(';')[0] ?? '';

/** A browser's first visit: the guest cookie the server gives it. */
async function newBrowser(server: TestServer): Promise<string> {
  const setCookie = await upgradeCookie(server.url);
  expect(setCookie).toBeDefined();
  return cookieOf(setCookie);
}

async function setup(
  settings = { waitingRoom: false },
  jwtSecret?: string,
  resumeWindowMs?: number,
) {
  const server = await startTestServer({
    ...(jwtSecret ? { jwtSecret } : {}),
    ...(resumeWindowMs ? { resumeWindowMs } : {}),
  });
  servers.push(server);
  const room = await server.createRoom({ settings });
  /** A join from a browser holding `cookie` (none: storage cleared, or not a browser). */
  const arrive = async (name: string, cookie?: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.connect(server.url, { headers: cookie ? { cookie } : {} });
    await client.request({ type: 'hello', version: PROTOCOL_VERSION });
    const join = { type: 'join', roomId: room.id, name, media, deviceId: freshDevice(), ...extra };
    const reply = await client.request(join);
    return { client, reply, peerId: reply.type === 'joined' ? reply.peerId : '' };
  };
  const host = await arrive('Host', undefined, { hostKey: room.hostKey });
  expect(host.reply).toMatchObject({ type: 'joined', role: 'host' });
  return { server, room, arrive, host: host.client };
}

const waitingOf = (m: ServerMessage) => (m.type === 'lobby' ? m.waiting : []);

describe('the guest identity cookie', () => {
  it('is issued on the first upgrade, HttpOnly, SameSite=Strict, for /ws only; kept after', async () => {
    const server = await startTestServer();
    servers.push(server);
    const setCookie = await upgradeCookie(server.url);
    expect(setCookie).toMatch(/^parley_guest=[\w-]{22}\.[0-9a-z]+\.[\w-]{43}; /);
    expect(setCookie).toContain('; Path=/ws;');
    expect(setCookie).toContain('; HttpOnly');
    expect(setCookie).toContain('; SameSite=Strict');
    // Brought back, it is the browser's identity: nothing new is issued.
    expect(await upgradeCookie(server.url, cookieOf(setCookie))).toBeUndefined();
    // A forged one (another id under the old signature) is not honoured: a new one comes.
    const forged = cookieOf(setCookie).replace(/=[\w-]{22}\./, `=${'A'.repeat(22)}.`);
    expect(await upgradeCookie(server.url, forged)).toMatch(/^parley_guest=/);
  });

  it('is accepted by every server sharing the JWT secret (the nodes of a cluster), no other', async () => {
    const secret = 'a-cluster-wide-secret-of-32-chars-or-more';
    const [a, b, c] = await Promise.all([
      startTestServer({ jwtSecret: secret }),
      startTestServer({ jwtSecret: secret }),
      startTestServer({ jwtSecret: `${secret}-other` }),
    ]);
    servers.push(a, b, c);
    const cookie = cookieOf(await upgradeCookie(a.url));
    expect(await upgradeCookie(b.url, cookie)).toBeUndefined();
    expect(await upgradeCookie(c.url, cookie)).toMatch(/^parley_guest=/);
  });
});

describe('a removed guest who comes back', () => {
  it('with a new deviceId (or none) but the same browser is refused', async () => {
    const { arrive, host } = await setup();
    const annBrowser = await newBrowser(servers[0]!);
    const ann = await arrive('Ann', annBrowser);
    expect(ann.reply).toMatchObject({ type: 'joined' });
    expect(await host.request({ type: 'remove', peerId: ann.peerId })).toMatchObject({
      type: 'ok',
    });
    await ann.client.next((m) => m.type === 'removed');
    expect((await arrive('Ann', annBrowser)).reply).toMatchObject({ code: ERROR_CODES.BANNED });
    const noDevice = await arrive('Ann', annBrowser, { deviceId: undefined });
    expect(noDevice.reply).toMatchObject({ code: ERROR_CODES.BANNED });
    expect(host.of('peer-joined').filter((m) => m.peer.name === 'Ann')).toHaveLength(1);
  });

  it('with cleared storage (no cookie, a new deviceId) waits, marked for the host; others do not', async () => {
    const { server, arrive, host } = await setup();
    // Bob has been here before the removal (his browser got its cookie then).
    const bobBrowser = await newBrowser(server);
    const ann = await arrive('Ann', await newBrowser(server));
    await host.request({ type: 'remove', peerId: ann.peerId });
    await ann.client.next((m) => m.type === 'removed');

    // The waiting room is off, yet she is held, and the host sees who she may be.
    const back = await arrive('Ann again');
    expect(back.reply).toMatchObject({ type: 'waiting', position: 1 });
    const lobby = await host.next((m) => waitingOf(m).length === 1);
    expect(waitingOf(lobby)).toEqual([
      expect.objectContaining({ name: 'Ann again', previouslyRemoved: true }),
    ]);
    expect(host.of('peer-joined').filter((m) => m.peer.name === 'Ann again')).toHaveLength(0);
    // A forged cookie is no cookie: held and marked too.
    const forged = `parley_guest=${'A'.repeat(22)}.0.${'B'.repeat(43)}`;
    expect((await arrive('Ann forged', forged)).reply).toMatchObject({ type: 'waiting' });
    await host.next(
      (m) => waitingOf(m).every((w) => w.previouslyRemoved) && waitingOf(m).length === 2,
    );

    // Bob, known from before the removal, comes straight in as the room allows.
    expect((await arrive('Bob', bobBrowser)).reply).toMatchObject({ type: 'joined' });
    // "Admit all" and turning the waiting room on and off pass over them: only a host's own
    // admit lets a marked guest in.
    expect(await host.request({ type: 'admit-all' })).toMatchObject({ type: 'ok' });
    await host.request({ type: 'settings', settings: { waitingRoom: true } });
    await host.request({ type: 'settings', settings: { waitingRoom: false } });
    expect(back.client.of('joined')).toHaveLength(0);
    expect(await back.client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(back.client.of('joined')).toHaveLength(0);
    // The host decides: let the held one in (and her new identity is an ordinary guest's).
    const heldId = waitingOf(lobby)[0]?.peerId;
    expect(await host.request({ type: 'admit', peerId: heldId })).toMatchObject({ type: 'ok' });
    await back.client.next((m) => m.type === 'joined');
  });

  it('after a denial, with a new deviceId from the same browser, is refused', async () => {
    const { arrive, host } = await setup({ waitingRoom: true });
    const deeBrowser = await newBrowser(servers[0]!);
    const dee = await arrive('Dee', deeBrowser);
    expect(dee.reply).toMatchObject({ type: 'waiting' });
    const lobby = await host.next((m) => waitingOf(m).length === 1);
    expect(waitingOf(lobby)[0]).not.toHaveProperty('previouslyRemoved');
    const peerId = waitingOf(lobby)[0]?.peerId;
    expect(await host.request({ type: 'deny', peerId })).toMatchObject({ type: 'ok' });
    await dee.client.next((m) => m.type === 'removed');
    expect((await arrive('Dee', deeBrowser)).reply).toMatchObject({ code: ERROR_CODES.BANNED });
  });
});

describe('one seat per browser (#19)', () => {
  it('lets the same browser back in at once (a reload, a second tab), in place of its old seat', async () => {
    const { arrive, host } = await setup({ waitingRoom: true });
    const annBrowser = await newBrowser(servers[0]!);
    const ann = await arrive('Ann', annBrowser);
    expect(ann.reply).toMatchObject({ type: 'waiting' });
    const lobby = await host.next((m) => waitingOf(m).length === 1);
    await host.request({ type: 'admit', peerId: waitingOf(lobby)[0]?.peerId });
    const first = await ann.client.next((m) => m.type === 'joined');
    const firstId = first.type === 'joined' ? first.peerId : '';

    // The same browser joins again: in at once, and the first tab is told why it is out.
    const again = await arrive('Ann', annBrowser);
    expect(again.reply).toMatchObject({ type: 'joined', role: 'guest' });
    expect(again.reply.type === 'joined' && again.reply.peers.map((p) => p.name)).toEqual(['Host']);
    await ann.client.next((m) => m.type === 'removed' && m.reason === 'replaced');
    await host.next((m) => m.type === 'peer-left' && m.peerId === firstId);
    await host.next((m) => m.type === 'peer-joined' && m.peer.peerId === again.peerId);
    // The old tab's socket is out of the meeting.
    expect(await ann.client.request({ type: 'chat', clientId: crypto.randomUUID(), text: 'hi' })).toMatchObject({ code: ERROR_CODES.NOT_JOINED }); // prettier-ignore

    // Another browser is someone else: it waits as before.
    expect((await arrive('Ann', await newBrowser(servers[0]!))).reply).toMatchObject({
      type: 'waiting',
    });
  });

  it('lets a browser that left come back without the waiting room, within the resume window', async () => {
    const WINDOW_MS = 600;
    const { arrive, host } = await setup({ waitingRoom: true }, undefined, WINDOW_MS);
    const annBrowser = await newBrowser(servers[0]!);
    const ann = await arrive('Ann', annBrowser);
    const lobby = await host.next((m) => waitingOf(m).length === 1);
    await host.request({ type: 'admit', peerId: waitingOf(lobby)[0]?.peerId });
    await ann.client.next((m) => m.type === 'joined');
    // A reload: the page sends `leave`, and the new one joins.
    await ann.client.request({ type: 'leave' });
    expect((await arrive('Ann', annBrowser)).reply).toMatchObject({ type: 'joined' });
    // Left for longer than the window: the waiting room again, like anyone.
    const bobBrowser = await newBrowser(servers[0]!);
    const bob = await arrive('Bob', bobBrowser);
    const queue = await host.next((m) => waitingOf(m).some((w) => w.name === 'Bob'));
    const bobId = waitingOf(queue).find((w) => w.name === 'Bob')?.peerId;
    await host.request({ type: 'admit', peerId: bobId });
    await bob.client.next((m) => m.type === 'joined');
    await bob.client.request({ type: 'leave' });
    await new Promise((r) => setTimeout(r, WINDOW_MS * 2));
    expect((await arrive('Bob', bobBrowser)).reply).toMatchObject({ type: 'waiting' });
  });

  it('keeps a host role given in the meeting across a reload', async () => {
    const { arrive, host } = await setup();
    const bobBrowser = await newBrowser(servers[0]!);
    const bob = await arrive('Bob', bobBrowser);
    await host.request({ type: 'set-role', peerId: bob.peerId, role: 'host' });
    await bob.client.next((m) => m.type === 'role' && m.role === 'host');
    // No host key in this browser: the seat it takes over was a host's.
    const back = await arrive('Bob', bobBrowser);
    expect(back.reply).toMatchObject({ type: 'joined', role: 'host' });
    expect(await back.client.request({ type: 'end' })).toMatchObject({ type: 'ok' });
  });
});
