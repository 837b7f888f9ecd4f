// `join` with a seat on one node: the seat is for a meeting that moved (cluster.test.ts); here
// it must not open any door the normal join keeps shut.
import path from 'node:path';
import Database from 'better-sqlite3';
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
const device = (name: string): string => `device-${name}-${'0'.repeat(16)}`;
type Seat = { peerId: string; resumeToken: string };

/** A room with the waiting room on (the product default), its host in it. */
async function meeting(resumeWindowMs = 0) {
  const server = await startTestServer({ resumeWindowMs });
  servers.push(server);
  const room = await server.createRoom({});
  const arrive = async (name: string, extra: Record<string, unknown> = {}) => {
    const client = await TestClient.ready(server.url);
    const join = { type: 'join', roomId: room.id, name, media, deviceId: device(name), ...extra };
    return { client, reply: await client.request(join) };
  };
  const host = await arrive('Host', { hostKey: room.hostKey });
  expect(host.reply).toMatchObject({ type: 'joined', role: 'host' });
  /** Lets `name` in from the waiting room; its seat. */
  const admitted = async (name: string): Promise<Seat & { client: TestClient }> => {
    const guest = await arrive(name);
    expect(guest.reply).toMatchObject({ type: 'waiting' });
    const lobby = await host.client.next(
      (m) => m.type === 'lobby' && m.waiting.some((w) => w.name === name),
    );
    const peerId = lobby.type === 'lobby' ? lobby.waiting.find((w) => w.name === name)?.peerId : '';
    expect(await host.client.request({ type: 'admit', peerId })).toMatchObject({ type: 'ok' });
    const joined = await guest.client.next((m) => m.type === 'joined');
    if (joined.type !== 'joined') throw new Error('not joined');
    return { client: guest.client, peerId: joined.peerId, resumeToken: joined.resumeToken };
  };
  return { server, room, arrive, host: host.client, admitted };
}

const peerIdOf = (m: ServerMessage): string | undefined =>
  m.type === 'joined' ? m.peerId : undefined;

describe('join with a seat, on one node', () => {
  it('does not let a removed peer back in, with or without its device id', async () => {
    const { arrive, host, admitted } = await meeting();
    const ann = await admitted('Ann');
    const seat = { peerId: ann.peerId, resumeToken: ann.resumeToken };
    expect(await host.request({ type: 'remove', peerId: ann.peerId })).toMatchObject({
      type: 'ok',
    });
    await ann.client.next((m) => m.type === 'removed');
    expect((await arrive('Ann', { seat })).reply).toMatchObject({
      type: 'error',
      code: ERROR_CODES.BANNED,
    });
    // Without a device the ban cannot recognise her, and the seat went with the removal:
    // she is a stranger again, held in the waiting room.
    const anon = await arrive('Ann', { seat, deviceId: undefined });
    expect(anon.reply).toMatchObject({ type: 'waiting' });
    const seen = host.of('peer-joined').filter((m) => m.peer.peerId === ann.peerId);
    expect(seen).toHaveLength(1); // her admission, and no second time
  });

  it('ignores a bogus seat, a wrong token and a seat still in use: the normal way in', async () => {
    const { arrive, admitted } = await meeting();
    const bob = await admitted('Bob');
    const bogus = { peerId: 'AAAAAAAAAAAAAAAA', resumeToken: 'x'.repeat(22) };
    const wrongToken = { peerId: bob.peerId, resumeToken: 'y'.repeat(22) };
    const inUse = { peerId: bob.peerId, resumeToken: bob.resumeToken };
    for (const [name, seat] of [
      ['Cy', bogus],
      ['Di', wrongToken],
      ['Ed', inUse],
    ] as const) {
      const { reply } = await arrive(name, { seat });
      expect(reply, name).toMatchObject({ type: 'waiting' });
    }
  });

  it('lets a peer whose seat is kept (a restart of the node) straight back in', async () => {
    // Seats kept for a dropped socket (the default 30 s), so a stop is not everyone leaving.
    const { server, room, admitted } = await meeting(30_000);
    const cat = await admitted('Cat');
    // The meeting's node restarts: the same data directory, nothing in memory.
    await server.close();
    const again = await startTestServer({ dataDir: server.dataDir });
    servers.push(again);
    const client = await TestClient.ready(again.url);
    const seat = { peerId: cat.peerId, resumeToken: cat.resumeToken };
    const reply = await client.request({
      type: 'join',
      roomId: room.id,
      name: 'Cat',
      media,
      deviceId: device('Cat'),
      seat,
    });
    expect(reply).toMatchObject({ type: 'joined', role: 'guest' });
    expect(peerIdOf(reply)).toBe(cat.peerId);
  });

  it('a meeting whose node stopped and that nobody came back to for a minute is over', async () => {
    const { server, room, host, admitted } = await meeting(30_000);
    const cat = await admitted('Cat');
    const dan = await admitted('Dan');
    await host.request({ type: 'remove', peerId: dan.peerId });
    await server.close();
    // An hour passes before anyone opens the room again (its last sign of life was the
    // node's pulse, or the last seat written).
    const db = new Database(path.join(server.dataDir, 'parley.db'));
    db.prepare('UPDATE door_meetings SET alive_at = alive_at - 3600000 WHERE room_id = ?').run(
      room.id,
    );
    db.close();
    const again = await startTestServer({ dataDir: server.dataDir, resumeWindowMs: 30_000 });
    servers.push(again);
    const seat = { peerId: cat.peerId, resumeToken: cat.resumeToken };
    const come = async (name: string, extra: Record<string, unknown> = {}) => {
      const client = await TestClient.ready(again.url);
      const join = { type: 'join', roomId: room.id, name, media, deviceId: device(name), ...extra };
      return client.request(join);
    };
    // A new meeting: Dan's ban and Cat's seat belonged to the old one.
    expect(await come('Dan')).toMatchObject({ type: 'waiting' });
    expect(await come('Cat', { seat })).toMatchObject({ type: 'waiting' });
  });

  it('a ban lasts for the meeting: once everyone has left, a new meeting starts clean', async () => {
    const { arrive, host, admitted } = await meeting();
    const dan = await admitted('Dan');
    await host.request({ type: 'remove', peerId: dan.peerId });
    expect((await arrive('Dan')).reply).toMatchObject({ code: ERROR_CODES.BANNED });
    expect(await host.request({ type: 'leave' })).toMatchObject({ type: 'left' });
    // The meeting is over; the next one does not know Dan, nor his old seat.
    const seat = { peerId: dan.peerId, resumeToken: dan.resumeToken };
    expect((await arrive('Dan', { seat })).reply).toMatchObject({ type: 'waiting' });
  });
});
