// #16: a team remembers its members across meetings. Someone an admin let in (a team that
// requires approval) comes back without waiting; an admin made co-host comes back as one; a
// removed member is a newcomer again. Real sockets and storage; identities are the server's
// guest cookies, as a browser holds them (a client-picked deviceId grants nothing).
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { ServerMessage } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { guestCookie } from './support/guests.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: false };

/** A greeted socket carrying that browser's cookie. */
async function browser(server: TestServer, cookie: string): Promise<TestClient> {
  const c = await TestClient.connect(server.url, { headers: { cookie } });
  await c.request({ type: 'hello', version: PROTOCOL_VERSION });
  clients.push(c);
  return c;
}

async function createTeam(server: TestServer, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; hostKey: string };
}

const join = (c: TestClient, roomId: string, name: string, extra: object = {}) =>
  c.request({ type: 'join', roomId, name, media, ...extra });

/** The waiting peer id of `name`, from the admin's lobby. */
async function waiting(admin: TestClient, name: string): Promise<string> {
  const has = (m: ServerMessage) => m.type === 'lobby' && m.waiting.some((w) => w.name === name);
  const lobby = await admin.next(has);
  return lobby.type === 'lobby' ? (lobby.waiting.find((w) => w.name === name)?.peerId ?? '') : '';
}

describe('a team remembers its members', () => {
  it('lets a member it approved back in without waiting, and an admin back as admin', async () => {
    const server = await startTestServer();
    servers.push(server);
    const team = await createTeam(server, { name: 'Night crew', requireApproval: true });
    const ann = await browser(server, await guestCookie(server.url));
    expect((await join(ann, team.id, 'Ann', { hostKey: team.hostKey })).type).toBe('joined');

    const bobCookie = await guestCookie(server.url);
    const bob = await browser(server, bobCookie);
    expect((await join(bob, team.id, 'Bob')).type).toBe('waiting');
    await ann.request({ type: 'admit', peerId: await waiting(ann, 'Bob') });
    const admitted = await bob.next((m) => m.type === 'joined');
    const bobId = admitted.type === 'joined' ? admitted.peerId : '';
    expect((await ann.request({ type: 'set-role', peerId: bobId, role: 'cohost' })).type).toBe(
      'ok',
    );
    await bob.request({ type: 'leave' });

    // A stranger still waits; Bob, back in another meeting of the team, does not, as admin.
    const cat = await browser(server, await guestCookie(server.url));
    expect((await join(cat, team.id, 'Cat')).type).toBe('waiting');
    const again = await browser(server, bobCookie);
    const back = await join(again, team.id, 'Bob');
    expect(back.type).toBe('joined');
    expect(back.type === 'joined' && back.role).toBe('cohost');
  });

  it('forgets a removed member: next meeting, they wait for an admin again', async () => {
    const server = await startTestServer();
    servers.push(server);
    const team = await createTeam(server, { name: 'Porters', requireApproval: true });
    const annCookie = await guestCookie(server.url);
    const ann = await browser(server, annCookie);
    await join(ann, team.id, 'Ann', { hostKey: team.hostKey });
    const danCookie = await guestCookie(server.url);
    const dan = await browser(server, danCookie);
    await join(dan, team.id, 'Dan');
    await ann.request({ type: 'admit', peerId: await waiting(ann, 'Dan') });
    const admitted = await dan.next((m) => m.type === 'joined');
    const danId = admitted.type === 'joined' ? admitted.peerId : '';
    expect((await ann.request({ type: 'remove', peerId: danId })).type).toBe('ok');
    // The meeting ends (everyone left): its bans go, but the team does not know Dan any more.
    await ann.request({ type: 'leave' });
    const annAgain = await browser(server, annCookie);
    expect((await join(annAgain, team.id, 'Ann')).type).toBe('joined');
    const danAgain = await browser(server, danCookie);
    expect((await join(danAgain, team.id, 'Dan')).type).toBe('waiting');
  });

  it('lets any admin make someone admin, where a meeting leaves roles to its host', async () => {
    const server = await startTestServer();
    servers.push(server);
    const team = await createTeam(server, { name: 'Stage crew' });
    const ann = await browser(server, await guestCookie(server.url));
    await join(ann, team.id, 'Ann', { hostKey: team.hostKey });
    const bob = await browser(server, await guestCookie(server.url));
    const bobJoined = await join(bob, team.id, 'Bob');
    const cat = await browser(server, await guestCookie(server.url));
    const catJoined = await join(cat, team.id, 'Cat');
    const id = (m: ServerMessage) => (m.type === 'joined' ? m.peerId : '');
    await ann.request({ type: 'set-role', peerId: id(bobJoined), role: 'cohost' });
    expect(await bob.request({ type: 'set-role', peerId: id(catJoined), role: 'cohost' })).toEqual(
      expect.objectContaining({ type: 'ok' }),
    );
    expect(await cat.next((m) => m.type === 'role')).toMatchObject({ role: 'cohost' });

    const room = await server.createRoom({ settings: { waitingRoom: false } });
    const host = await browser(server, await guestCookie(server.url));
    await join(host, room.id, 'Host', { hostKey: room.hostKey });
    const cohost = await browser(server, await guestCookie(server.url));
    const cohostJoined = await join(cohost, room.id, 'Cohost');
    const guest = await browser(server, await guestCookie(server.url));
    const guestJoined = await join(guest, room.id, 'Guest');
    await host.request({ type: 'set-role', peerId: id(cohostJoined), role: 'cohost' });
    const refused = await cohost.request({ type: 'set-role', peerId: id(guestJoined), role: 'cohost' }); // prettier-ignore
    expect(refused).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
  });
});
