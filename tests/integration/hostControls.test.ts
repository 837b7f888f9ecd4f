import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES } from '@parley/protocol';
import type { CreateRoomRequest } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: true };
let devices = 0;

async function setup(
  body: CreateRoomRequest = { settings: { waitingRoom: false } },
  dataDir?: string,
) {
  const server = await startTestServer(dataDir ? { dataDir } : {});
  servers.push(server);
  const room = await server.createRoom(body);
  return { server, room, ...joiners(server, room.id, room.hostKey) };
}

function joiners(server: TestServer, roomId: string, hostKey: string) {
  const arrive = async (name: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.ready(server.url);
    const deviceId = (extra.deviceId as string | undefined) ?? `device-${++devices}-0000000000`;
    const reply = await client.request({ type: 'join', roomId, name, media, ...extra, deviceId });
    const peerId = reply.type === 'joined' ? reply.peerId : '';
    return { client, reply, deviceId, peerId };
  };
  return { arrive, host: () => arrive('Host', { hostKey }) };
}

describe('host controls', () => {
  it('mute and stop video: the target is told, everyone sees it, and may turn it back on', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const mute = { type: 'mute', peerId: ann.peerId, kind: 'audio' };
    expect(await h.client.request(mute)).toMatchObject({ type: 'ok' });
    expect(await ann.client.next((m) => m.type === 'muted')).toEqual({
      type: 'muted',
      kind: 'audio',
      by: h.peerId,
    });
    const seen = await bob.client.next((m) => m.type === 'peer-updated');
    expect(seen).toMatchObject({ peer: { name: 'Ann', media: { audio: false, video: true } } });
    await h.client.request({ type: 'mute', peerId: ann.peerId, kind: 'video' });
    await ann.client.next((m) => m.type === 'muted' && m.kind === 'video');
    // Self-unmute is allowed (as in the products people know).
    const back = await ann.client.request({ type: 'media', media });
    expect(back).toMatchObject({ type: 'media-ok' });
  });

  it('remove: the target is out, the others see them leave, and they cannot come back', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    expect(await h.client.request({ type: 'remove', peerId: ann.peerId })).toMatchObject({
      type: 'ok',
    });
    expect(await ann.client.next((m) => m.type === 'removed')).toEqual({
      type: 'removed',
      reason: 'removed',
    });
    await h.client.next((m) => m.type === 'peer-left' && m.peerId === ann.peerId);
    // The removed socket is out of the room: room messages are refused.
    const chat = { type: 'chat', clientId: 'msg-00000001', text: 'still here?' };
    expect(await ann.client.request(chat)).toMatchObject({ code: ERROR_CODES.NOT_JOINED });
    // Same device, fresh socket: refused. Resume with the old token: refused.
    expect((await arrive('Ann', { deviceId: ann.deviceId })).reply).toMatchObject({
      code: ERROR_CODES.BANNED,
    });
    const joined = ann.reply.type === 'joined' ? ann.reply : undefined;
    const resume = await (
      await TestClient.ready(h.client.ws.url.replace(/^ws(.*)\/ws$/, 'http$1'))
    ).request({
      type: 'resume',
      roomId: joined?.roomId,
      peerId: ann.peerId,
      resumeToken: joined?.resumeToken,
      lastSeq: 0,
    });
    expect(resume).toMatchObject({ code: ERROR_CODES.RESUME_FAILED });
  });

  it('every host control from a guest is FORBIDDEN and changes nothing', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const attempts = [
      { type: 'mute', peerId: bob.peerId, kind: 'audio' },
      { type: 'mute', peerId: h.peerId, kind: 'video' },
      { type: 'remove', peerId: bob.peerId },
      { type: 'set-role', peerId: ann.peerId, role: 'cohost' },
      { type: 'admit-all' },
      { type: 'deny', peerId: bob.peerId },
      { type: 'end' },
      { type: 'settings', settings: { screenShare: false } },
      { type: 'broadcast', live: true },
    ];
    for (const attempt of attempts) {
      expect(await ann.client.request(attempt), attempt.type).toMatchObject({
        code: ERROR_CODES.FORBIDDEN,
      });
    }
    for (const c of [h.client, bob.client]) {
      expect(
        c.received.some((m) => ['muted', 'removed', 'role', 'settings'].includes(m.type)),
      ).toBe(false);
    }
    expect(h.client.of('peer-left')).toHaveLength(0);
    expect(await bob.client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('co-hosts moderate but cannot remove a host, make roles or end; the role survives a rejoin', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    const promote = { type: 'set-role', peerId: ann.peerId, role: 'cohost' };
    expect(await h.client.request(promote)).toMatchObject({ type: 'ok' });
    expect(await ann.client.next((m) => m.type === 'role')).toEqual({
      type: 'role',
      role: 'cohost',
    });
    await bob.client.next((m) => m.type === 'peer-updated' && m.peer.role === 'cohost');
    await ann.client.next((m) => m.type === 'lobby');
    const mute = { type: 'mute', peerId: bob.peerId, kind: 'audio' };
    expect(await ann.client.request(mute)).toMatchObject({ type: 'ok' });
    for (const attempt of [
      { type: 'remove', peerId: h.peerId },
      { type: 'set-role', peerId: bob.peerId, role: 'cohost' },
      { type: 'end' },
    ]) {
      expect(await ann.client.request(attempt), attempt.type).toMatchObject({
        code: ERROR_CODES.FORBIDDEN,
      });
    }
    expect(await h.client.request({ type: 'remove', peerId: h.peerId })).toMatchObject({
      code: ERROR_CODES.FORBIDDEN,
    });
    // Ann drops and comes back on the same device: still co-host.
    await ann.client.request({ type: 'leave' });
    expect((await arrive('Ann', { deviceId: ann.deviceId })).reply).toMatchObject({
      type: 'joined',
      role: 'cohost',
    });
  });

  it('a host who drops and returns is still host', async () => {
    const { host } = await setup();
    const h = await host();
    await h.client.close();
    expect((await host()).reply).toMatchObject({ type: 'joined', role: 'host' });
  });

  it('end meeting: everyone out, waiting room included; the room opens afresh', async () => {
    const { arrive, host, room, server } = await setup({});
    const h = await host();
    const wait = await arrive('Waiting');
    expect(wait.reply).toMatchObject({ type: 'waiting' });
    await h.client.request({ type: 'admit-all' });
    await wait.client.next((m) => m.type === 'joined');
    const late = await arrive('Late');
    expect(await h.client.request({ type: 'end' })).toMatchObject({ type: 'ok' });
    for (const c of [wait.client, late.client, h.client]) {
      await c.next((m) => m.type === 'removed' && m.reason === 'ended');
      // The socket closes after `removed`, with the code that says: do not resume.
      expect((await c.closed).code).toBe(CLOSE_CODES.ROOM_CLOSED);
    }
    const status = await (await fetch(`${server.url}/api/rooms/${room.id}`)).json();
    expect(status).toMatchObject({ admitted: 0 });
    expect((await host()).reply).toMatchObject({ type: 'joined' });
  });

  it('chat off: guests are refused, hosts are not', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    await h.client.request({ type: 'settings', settings: { chat: false } });
    await ann.client.next((m) => m.type === 'settings' && !m.settings.chat);
    const send = (id: string) => ({ type: 'chat', clientId: `msg-0000000${id}`, text: 'x' });
    expect(await ann.client.request(send('1'))).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    expect(await h.client.request(send('2'))).toMatchObject({ type: 'chat-ack' });
    await ann.client.next((m) => m.type === 'chat');
    expect(ann.client.of('chat').map((m) => m.message.name)).toEqual(['Host']);
  });
});
