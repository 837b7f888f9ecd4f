// #19: a meeting always gets a host back. A host hands the role over (`set-role` with `host`),
// or, leaving without doing so, the server makes the longest-present co-host (else person) host
// after HOST_GRACE_MS; people in the waiting room are told whether anyone can let them in.
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
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
const GRACE_MS = 400;

async function meeting(settings = { waitingRoom: false }) {
  const server = await startTestServer({ hostGraceMs: GRACE_MS });
  servers.push(server);
  const room = await server.createRoom({ settings });
  const arrive = async (name: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.ready(server.url);
    const deviceId = `handover-device-${++devices}-0000000`;
    const reply = await client.request({
      type: 'join',
      roomId: room.id,
      name,
      media,
      deviceId,
      ...extra,
    });
    return { client, reply, peerId: reply.type === 'joined' ? reply.peerId : '' };
  };
  const host = () => arrive('Host', { hostKey: room.hostKey });
  return { arrive, host };
}

const roleOf = (m: ServerMessage) => (m.type === 'role' ? m.role : null);
const roleUpdate = (peerId: string, role: string) => (m: ServerMessage) =>
  m.type === 'peer-updated' && m.peer.peerId === peerId && m.peer.role === role;
const waitingWith = (hostPresent: boolean) => (m: ServerMessage) =>
  m.type === 'waiting' && m.hostPresent === hostPresent;

describe('host handover', () => {
  it('hands the host role to someone: they are host, the host a co-host, and everyone sees it', async () => {
    const { arrive, host } = await meeting();
    const ada = await host();
    const bob = await arrive('Bob');
    const cy = await arrive('Cy');
    // Only a host hands it over; a co-host cannot take it.
    await ada.client.request({ type: 'set-role', peerId: cy.peerId, role: 'cohost' });
    const grab = { type: 'set-role', peerId: cy.peerId, role: 'host' };
    expect(await cy.client.request(grab)).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    const toBob = { type: 'set-role', peerId: bob.peerId, role: 'host' };
    expect(await bob.client.request(toBob)).toMatchObject({ code: ERROR_CODES.FORBIDDEN });

    expect(await ada.client.request(toBob)).toMatchObject({ type: 'ok' });
    expect(roleOf(await bob.client.next((m) => m.type === 'role'))).toBe('host');
    // Bob now sees the waiting room's queue, as hosts do.
    await bob.client.next((m) => m.type === 'lobby');
    expect(roleOf(await ada.client.next((m) => m.type === 'role'))).toBe('cohost');
    await cy.client.next(roleUpdate(bob.peerId, 'host'));
    await cy.client.next(roleUpdate(ada.peerId, 'cohost'));
    // The host's powers went with the role: Bob ends the meeting, Ada no longer can.
    expect(await ada.client.request({ type: 'end' })).toMatchObject({
      code: ERROR_CODES.FORBIDDEN,
    });
    expect(await bob.client.request({ type: 'end' })).toMatchObject({ type: 'ok' });
    await cy.client.next((m) => m.type === 'removed' && m.reason === 'ended');
  });

  it('makes the longest-present co-host host when the host leaves, then the longest-present person', async () => {
    const { arrive, host } = await meeting();
    const ada = await host();
    const bob = await arrive('Bob');
    const cy = await arrive('Cy');
    const dee = await arrive('Dee');
    // Dee came after Bob, but is co-host: she is next.
    await ada.client.request({ type: 'set-role', peerId: dee.peerId, role: 'cohost' });
    await ada.client.request({ type: 'leave' });
    expect(roleOf(await dee.client.next((m) => m.type === 'role' && m.role === 'host'))).toBe(
      'host',
    );
    await bob.client.next(roleUpdate(dee.peerId, 'host'));
    expect(bob.client.of('role')).toHaveLength(0);
    // Dee leaves too: Bob has been there longest.
    await dee.client.request({ type: 'leave' });
    expect(roleOf(await bob.client.next((m) => m.type === 'role'))).toBe('host');
    await cy.client.next(roleUpdate(bob.peerId, 'host'));
    expect(cy.client.of('role')).toHaveLength(0);
  });

  it('waits for a host who comes back within the grace period', async () => {
    const { arrive, host } = await meeting();
    const ada = await host();
    const bob = await arrive('Bob');
    await ada.client.request({ type: 'leave' });
    const back = await host();
    expect(back.reply).toMatchObject({ type: 'joined', role: 'host' });
    // Well past the grace period: nobody else was made host.
    await new Promise((r) => setTimeout(r, GRACE_MS * 3));
    expect(bob.client.of('role')).toHaveLength(0);
  });

  it('tells the waiting room whether anyone who can let them in is there', async () => {
    const { arrive, host } = await meeting({ waitingRoom: true });
    const wes = await arrive('Wes');
    expect(wes.reply).toMatchObject({ type: 'waiting', position: 1, hostPresent: false });
    const ada = await host();
    await wes.client.next(waitingWith(true));
    // A co-host can let people in too: the host leaving with one there changes nothing.
    const cohostFromStart = await arrive('Kim');
    expect(cohostFromStart.reply).toMatchObject({ type: 'waiting' });
    await ada.client.next((m) => m.type === 'lobby' && m.waiting.some((w) => w.name === 'Kim'));
    await ada.client.request({ type: 'admit', peerId: lobbyPeer(ada.client, 'Kim') });
    const kimId = (await cohostFromStart.client.next((m) => m.type === 'joined')) as Extract<
      ServerMessage,
      { type: 'joined' }
    >;
    await ada.client.request({ type: 'set-role', peerId: kimId.peerId, role: 'cohost' });
    await ada.client.request({ type: 'leave' });
    // Kim is promoted after the grace period; the waiting room was never without a moderator.
    await cohostFromStart.client.next((m) => m.type === 'role' && m.role === 'host');
    const told = wes.client.of('waiting').map((m) => m.hostPresent);
    expect(told[0]).toBe(false);
    expect(told.slice(1)).not.toContain(false);
    // The last one who can let anyone in leaves: Wes is told.
    await cohostFromStart.client.request({ type: 'leave' });
    await wes.client.next(waitingWith(false));
  });
});

/** The peer id of someone in the latest `lobby` the client got. */
function lobbyPeer(client: TestClient, name: string): string {
  const lobby = client.of('lobby').at(-1);
  const peer = lobby?.waiting.find((w) => w.name === name);
  if (!peer) throw new Error(`${name} is not waiting`);
  return peer.peerId;
}
