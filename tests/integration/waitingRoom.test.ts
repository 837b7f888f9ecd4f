import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import type { CreateRoomRequest, ServerMessage } from '@parley/protocol';
import { TestClient } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.dispose()));
});

const media = { audio: true, video: true };
let devices = 0;
const device = (): string => `device-${String(++devices).padStart(12, '0')}`;

async function setup(body: CreateRoomRequest = {}) {
  const server = await startTestServer();
  servers.push(server);
  const room = await server.createRoom(body);
  const arrive = async (name: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.ready(server.url);
    const deviceId = (extra.deviceId as string | undefined) ?? device();
    const join = { type: 'join', roomId: room.id, name, media, ...extra, deviceId };
    const reply = await client.request(join);
    return { client, reply, deviceId };
  };
  const host = async () => {
    const { client, reply } = await arrive('Host', { hostKey: room.hostKey });
    expect(reply).toMatchObject({ type: 'joined', role: 'host' });
    return client;
  };
  return { server, room, arrive, host };
}

const lobbyOf = (m: ServerMessage): string[] =>
  m.type === 'lobby' ? m.waiting.map((w) => w.name) : [];

describe('waiting room', () => {
  it('is on by default: guests wait with their place, even before the host arrives', async () => {
    const { arrive, host } = await setup();
    const ann = await arrive('Ann');
    expect(ann.reply).toMatchObject({ type: 'waiting', position: 1 });
    const bob = await arrive('Bob');
    expect(bob.reply).toMatchObject({ type: 'waiting', position: 2 });
    const h = await host();
    // The host sees the queue, oldest first, right after joining.
    const lobby = await h.next((m) => m.type === 'lobby');
    expect(lobbyOf(lobby)).toEqual(['Ann', 'Bob']);
    // Nobody waiting was announced to the meeting.
    expect(h.of('peer-joined')).toHaveLength(0);
  });

  it('lets nothing through before admission', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const joined = h.received.find((m) => m.type === 'joined');
    const hostId = joined?.type === 'joined' ? joined.peerId : '';
    const attempts: Record<string, unknown>[] = [
      { type: 'chat', clientId: 'msg-00000001', text: 'let me in' },
      { type: 'signal', to: hostId, data: { sdp: 'x' } },
      { type: 'media', media: { audio: false, video: true } },
      { type: 'chat-sync', since: 0 },
      { type: 'ice-refresh' },
      { type: 'sfu-transport', direction: 'send' },
      { type: 'admit', peerId: hostId },
      { type: 'join', roomId: 'A'.repeat(22), name: 'again', media },
    ];
    for (const attempt of attempts) {
      const reply = await ann.client.request(attempt);
      const expected =
        attempt.type === 'join' ? ERROR_CODES.ALREADY_JOINED : ERROR_CODES.NOT_ADMITTED;
      expect(reply, String(attempt.type)).toMatchObject({ type: 'error', code: expected });
    }
    expect(h.of('signal')).toHaveLength(0);
    expect(h.of('chat')).toHaveLength(0);
    // ping still works: the waiting socket is kept alive.
    expect(await ann.client.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('admits one, then all; the others move up; the admitted get the call', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const [ann, bob, cat] = [await arrive('Ann'), await arrive('Bob'), await arrive('Cat')];
    const lobby = await h.next((m) => m.type === 'lobby' && m.waiting.length === 3);
    const annId = lobby.type === 'lobby' ? lobby.waiting[0]?.peerId : undefined;
    expect(await h.request({ type: 'admit', peerId: annId })).toMatchObject({ type: 'ok' });
    const joined = await ann.client.next((m) => m.type === 'joined');
    expect(joined).toMatchObject({ type: 'joined', role: 'guest', peers: [{ name: 'Host' }] });
    expect('rid' in joined).toBe(false);
    await bob.client.next((m) => m.type === 'waiting' && m.position === 1);
    await cat.client.next((m) => m.type === 'waiting' && m.position === 2);
    await h.next((m) => m.type === 'peer-joined' && m.peer.name === 'Ann');
    // Admitted for real: chat goes through now.
    expect(
      await ann.client.request({ type: 'chat', clientId: 'msg-00000002', text: 'hi' }),
    ).toMatchObject({ type: 'chat-ack' });
    expect(await h.request({ type: 'admit-all' })).toMatchObject({ type: 'ok' });
    await bob.client.next((m) => m.type === 'joined');
    await cat.client.next((m) => m.type === 'joined');
    await h.next((m) => m.type === 'lobby' && m.waiting.length === 0);
  });

  it('denied guests are told and cannot come back for the meeting, even on a new socket', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const lobby = await h.next((m) => m.type === 'lobby' && m.waiting.length === 1);
    const annId = lobby.type === 'lobby' ? lobby.waiting[0]?.peerId : undefined;
    expect(await h.request({ type: 'deny', peerId: annId })).toMatchObject({ type: 'ok' });
    expect(await ann.client.next((m) => m.type === 'removed')).toEqual({
      type: 'removed',
      reason: 'denied',
    });
    const again = await arrive('Ann again', { deviceId: ann.deviceId });
    expect(again.reply).toMatchObject({ type: 'error', code: ERROR_CODES.BANNED });
    // Someone else still gets into the queue.
    expect((await arrive('Bob')).reply).toMatchObject({ type: 'waiting', position: 1 });
  });

  it('a waiting guest who leaves or drops leaves the queue', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    const bob = await arrive('Bob');
    await h.next((m) => m.type === 'lobby' && m.waiting.length === 2);
    expect(await ann.client.request({ type: 'leave' })).toMatchObject({ type: 'left' });
    await bob.client.next((m) => m.type === 'waiting' && m.position === 1);
    await bob.client.close();
    await h.next((m) => m.type === 'lobby' && m.waiting.length === 0);
  });

  it('turning the waiting room off lets everyone waiting in; off means straight in', async () => {
    const { arrive, host } = await setup();
    const h = await host();
    const ann = await arrive('Ann');
    await h.next((m) => m.type === 'lobby' && m.waiting.length === 1);
    const reply = await h.request({ type: 'settings', settings: { waitingRoom: false } });
    expect(reply).toMatchObject({ type: 'settings', settings: { waitingRoom: false } });
    await ann.client.next((m) => m.type === 'joined');
    expect((await arrive('Bob')).reply).toMatchObject({ type: 'joined' });
  });

  it('a locked room lets nobody new in, not even into the waiting room; the host still can', async () => {
    const { arrive, host } = await setup({ settings: { waitingRoom: false } });
    const h = await host();
    await h.request({ type: 'settings', settings: { locked: true } });
    expect((await arrive('Ann')).reply).toMatchObject({ code: ERROR_CODES.ROOM_LOCKED });
    await h.close();
    await host();
  });
});
