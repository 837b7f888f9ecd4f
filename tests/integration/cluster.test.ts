// Cluster mode with real Redis and PostgreSQL: three nodes (in this process, mesh only) see
// one room whichever node a client reaches, keep chat across nodes, drain on request, and
// answer "unavailable" while PostgreSQL is stopped without losing anything acked.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@parley/protocol';
import type { RoomId, RoomStatus, ServerMessage } from '@parley/protocol';
import { openPostgresStorage } from '../../signaling/src/store/postgres/index.ts';
import { RECLAIM_GRACE_MS } from '../../signaling/src/cluster/cluster.ts';
import { startPostgres, startRedis } from '../../deploy/local/index.ts';
import type { LocalPostgres, LocalRedis } from '../../deploy/local/index.ts';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let redis: LocalRedis;
let pg: LocalPostgres;
const nodes: TestServer[] = [];
const clients: TestClient[] = [];

async function startNode(id: string): Promise<TestServer> {
  const node = await startTestServer({
    databaseUrl: pg.url,
    cluster: { redisUrl: redis.url, nodeId: id, publicUrl: undefined },
    jwtSecret: 'a-shared-secret-of-at-least-32-characters',
  });
  nodes.push(node);
  return node;
}

/** A client as the app connects: `/ws?room=<id>`, then hello and join. */
async function member(node: TestServer, roomId: string, name: string): Promise<TestClient> {
  const client = await TestClient.ready(node.url, `/ws?room=${roomId}`);
  clients.push(client);
  await client.join(roomId, name);
  return client;
}

type Seat = { peerId: string; resumeToken: string };

const device = (name: string): string => `device-${name}-${'0'.repeat(16)}`;

/** A client that joins with its own fields (device, host key, seat) and keeps the reply. */
async function seated(
  node: TestServer,
  roomId: string,
  fields: { name: string; deviceId: string; hostKey?: string; seat?: Seat | undefined },
): Promise<{ client: TestClient; reply: ServerMessage }> {
  const client = await TestClient.ready(node.url, `/ws?room=${roomId}`);
  clients.push(client);
  const media = { audio: true, video: true };
  const reply = await client.request({ type: 'join', roomId, media, ...fields });
  return { client, reply };
}

function seatOf(joined: ServerMessage): Seat {
  if (joined.type !== 'joined') throw new Error(`not joined: ${JSON.stringify(joined)}`);
  return { peerId: joined.peerId, resumeToken: joined.resumeToken };
}

/** A waiting client's seat, once a host has let it in. */
async function admittedSeat(waiting: { client: TestClient }): Promise<{ seat: Seat }> {
  return { seat: seatOf(await waiting.client.next((m) => m.type === 'joined')) };
}

const status = async (node: TestServer, roomId: string): Promise<RoomStatus> =>
  (await (await fetch(`${node.url}/api/rooms/${roomId}`)).json()) as RoomStatus;

const chatTexts = (c: TestClient): string[] =>
  c.of('chat').map((m) => (m as Extract<ServerMessage, { type: 'chat' }>).message.text);

beforeAll(async () => {
  [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
  for (const id of ['n1', 'n2', 'n3']) await startNode(id);
  // A fresh Redis gives owners a grace to re-claim rooms; let it pass once.
  await new Promise((r) => setTimeout(r, RECLAIM_GRACE_MS + 100));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(nodes.map((n) => n.dispose()));
  await redis?.stop();
  await pg?.cleanup();
});

describe('cluster', () => {
  it('puts clients that reach different nodes into one room, with one chat', async () => {
    const [n1, n2, n3] = nodes as [TestServer, TestServer, TestServer];
    const { id } = await n1.createRoom();
    const a = await member(n1, id, 'Ada');
    const b = await member(n2, id, 'Bob');
    const c = await member(n3, id, 'Cy');
    await a.next((m) => m.type === 'peer-joined' && m.peer.name === 'Cy');
    const ack = await b.request({ type: 'chat', clientId: 'cl-0000001', text: 'hello from b' });
    expect(ack.type).toBe('chat-ack');
    await eventually(() => chatTexts(a).includes('hello from b') && chatTexts(c).length === 1);
    // Every node answers the same, naming the node that holds the room.
    const answers = await Promise.all(nodes.map((n) => status(n, id)));
    expect(new Set(answers.map((s) => JSON.stringify(s))).size).toBe(1);
    expect(answers[0]).toMatchObject({ id, admitted: 3, node: expect.stringMatching(/^n[123]$/) });
    const health = await (await fetch(`${n2.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', state: 'serving', node: 'n2' });
  });

  it("serves a recording's files from the node that has them, through any node", async () => {
    const [n1, n2] = nodes as [TestServer, TestServer, TestServer];
    const { id: roomId, hostKey } = await n1.createRoom();
    // A finished recording of n2's: its row is in PostgreSQL, its files on n2's disk.
    const id = 'clusterrecording0000000';
    const storage = await openPostgresStorage(pg.url);
    try {
      await storage.recordings.create({
        ...{ id, roomId: roomId as RoomId, title: 'Meeting', node: 'n2', startedAt: 1_000 },
        ...{ endedAt: 3_000, status: 'ready', progress: 1, durationMs: 2_000, bytes: 11 },
        ...{ audioBytes: 11, layout: 'grid', gapMs: 0, error: null },
      });
    } finally {
      await storage.close();
    }
    const dir = path.join(n2.dataDir, 'recordings', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'recording.mp4'), 'on n2 only');
    const headers = { 'x-host-key': hostKey };
    const links = await fetch(`${n1.url}/api/recordings/${id}/links`, { method: 'POST', headers });
    const { mp4 } = (await links.json()) as { mp4: string };
    // n1 and n3 have no file: they pass the download to n2.
    for (const node of nodes) expect(await (await fetch(node.url + mp4)).text()).toBe('on n2 only');
    const gone = await fetch(`${n1.url}/api/recordings/${id}`, { method: 'DELETE', headers });
    expect(gone.status).toBe(204);
    expect(existsSync(dir)).toBe(false);
    expect((await fetch(n2.url + mp4)).status).toBe(404);
  });

  it('refuses a join that reached the wrong node without ?room=, with ROOM_MOVED', async () => {
    const [n1] = nodes as [TestServer];
    const { id } = await n1.createRoom();
    const first = await member(n1, id, 'Ada');
    const owner = (await status(n1, id)).node;
    const other = nodes.find((n) => n.cluster?.nodeId !== owner) as TestServer;
    const stray = await TestClient.ready(other.url);
    clients.push(stray);
    const reply = await stray.request({
      type: 'join',
      roomId: id,
      name: 'S',
      media: { audio: true, video: true },
    });
    expect(reply).toMatchObject({ type: 'error', code: 'ROOM_MOVED' });
    expect(first.of('peer-joined')).toEqual([]);
  });

  it('refuses a removed guest on every node, by the guest cookie its room’s owner issued', async () => {
    const [n1, n2, n3] = nodes as [TestServer, TestServer, TestServer];
    const { id, hostKey } = await n1.createRoom();
    const host = await seated(n1, id, { name: 'Host', hostKey, deviceId: device('host') });
    // Ann's browser: its first upgrade, through n2 (spliced to the owner, which sets the cookie).
    const path = `/ws?room=${id}`;
    const first = new WebSocket(`${n2.url.replace(/^http/, 'ws')}${path}`);
    const setCookie = await new Promise<string | undefined>((resolve, reject) => {
      first.once('upgrade', (res) => resolve(res.headers['set-cookie']?.[0]));
      first.once('error', reject);
    });
    first.terminate();
    const cookie = setCookie?.split(';')[0] ?? '';
    const media = { audio: true, video: true };
    expect(cookie).toMatch(/^parley_guest=/);
    const arrive = async (node: TestServer, deviceId: string) => {
      const client = await TestClient.connect(node.url, { headers: { cookie } }, path);
      clients.push(client);
      await client.request({ type: 'hello', version: PROTOCOL_VERSION });
      return client.request({ type: 'join', roomId: id, name: 'Ann', media, deviceId });
    };
    const ann = await arrive(n2, device('Ann'));
    expect(ann).toMatchObject({ type: 'joined' });
    const peerId = ann.type === 'joined' ? ann.peerId : '';
    expect(await host.client.request({ type: 'remove', peerId })).toMatchObject({ type: 'ok' });
    // A new deviceId, through each node: the cookie says who she is, wherever it is checked.
    for (const node of [n1, n2, n3]) {
      expect(await arrive(node, device(`Ann-${node.port}`))).toMatchObject({ code: 'BANNED' });
    }
  });

  it('counts sign-in failures on every node together: the next node refuses the sixth', async () => {
    const [n1, n2, n3] = nodes as [TestServer, TestServer, TestServer];
    const post = (node: TestServer, path: string, body: object) =>
      fetch(`${node.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const email = 'spread@example.test';
    const signUp = { email, password: 'the right password', name: 'Spread' };
    expect((await post(n1, '/api/auth/signup', signUp)).status).toBe(201);
    // SIGN_IN_TRIES is 5 per account and address; a balancer spreads the tries over the nodes.
    const wrong = { email, password: 'a wrong password' };
    for (const node of [n1, n2, n3, n1, n2]) {
      expect((await post(node, '/api/auth/signin', wrong)).status).toBe(401);
    }
    const sixth = await post(n3, '/api/auth/signin', wrong);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    // Held for the account on every node, the right password too, until the window ends.
    const right = await post(n2, '/api/auth/signin', { email, password: signUp.password });
    expect(right.status).toBe(429);
  });

  it('spreads new rooms over the nodes', async () => {
    const owners = new Map<string, number>();
    for (let i = 0; i < 9; i++) {
      const { id } = await nodes[0]!.createRoom();
      await member(nodes[i % 3]!, id, `P${i}`);
      const node = (await status(nodes[0]!, id)).node ?? 'none';
      owners.set(node, (owners.get(node) ?? 0) + 1);
    }
    expect([...owners.keys()].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('moves a draining node’s rooms: their clients rejoin the same room elsewhere', async () => {
    const extra = await startNode('n4');
    const { id } = await extra.createRoom();
    // Everyone else is busy with rooms of the earlier tests: n4 is the least loaded.
    const a = await member(extra, id, 'Ada');
    expect((await status(extra, id)).node).toBe('n4');
    await a.request({ type: 'chat', clientId: 'cl-0000002', text: 'before the move' });
    await extra.drain();
    expect(await a.closed).toMatchObject({ code: 4006 });
    expect((await fetch(`${extra.url}/healthz`)).status).toBe(503);
    const again = await member(nodes[0]!, id, 'Ada');
    const s = await status(nodes[1]!, id);
    expect(s.node).toMatch(/^n[123]$/);
    expect(s.admitted).toBe(1);
    const history = await again.request({ type: 'chat-sync', since: 0 });
    expect(history).toMatchObject({
      type: 'chat-history',
      messages: [{ text: 'before the move' }],
    });
  });

  it('keeps a moved meeting’s door: seats come back at once, bans and co-hosts hold', async () => {
    const x = await startNode('n5');
    const { id, hostKey } = await x.createRoom({}); // the product defaults: waiting room on
    const host = await seated(x, id, { name: 'Host', hostKey, deviceId: device('host') });
    expect(host.reply).toMatchObject({ type: 'joined', role: 'host' });
    expect((await status(x, id)).node).toBe('n5'); // the least loaded: it held no room yet
    const guests = [];
    for (const name of ['Ann', 'Bob', 'Cat']) {
      const guest = await seated(x, id, { name, deviceId: device(name) });
      expect(guest.reply).toMatchObject({ type: 'waiting' });
      guests.push(guest);
    }
    await host.client.next((m) => m.type === 'lobby' && m.waiting.length === 3);
    expect(await host.client.request({ type: 'admit-all' })).toMatchObject({ type: 'ok' });
    const [ann, bob, cat] = await Promise.all(guests.map(admittedSeat));
    const hostSeat = seatOf(host.reply);
    await host.client.request({ type: 'set-role', peerId: cat?.seat.peerId, role: 'cohost' });
    await host.client.request({ type: 'remove', peerId: bob?.seat.peerId });
    await x.drain();
    for (const c of [host.client, guests[0]!.client, guests[2]!.client]) {
      expect(await c.closed).toMatchObject({ code: 4006 });
    }
    // Ann comes back first, through another node: in at once, the same peer, no host needed.
    const annBack = await seated(nodes[0]!, id, {
      name: 'Ann',
      deviceId: device('Ann'),
      seat: ann?.seat,
    });
    expect(annBack.reply).toMatchObject({
      type: 'joined',
      role: 'guest',
      peerId: ann?.seat.peerId,
    });
    expect((await status(nodes[0]!, id)).node).not.toBe('n5');
    const hostBack = await seated(nodes[1]!, id, {
      name: 'Host',
      hostKey,
      deviceId: device('host'),
      seat: hostSeat,
    });
    expect(hostBack.reply).toMatchObject({ type: 'joined', role: 'host', peerId: hostSeat.peerId });
    await annBack.client.next((m) => m.type === 'peer-joined' && m.peer.peerId === hostSeat.peerId);
    const catBack = await seated(nodes[2]!, id, {
      name: 'Cat',
      deviceId: device('Cat'),
      seat: cat?.seat,
    });
    expect(catBack.reply).toMatchObject({
      type: 'joined',
      role: 'cohost',
      peerId: cat?.seat.peerId,
    });
    // Removed before the move: neither the old seat nor a fresh join lets Bob back in.
    const withSeat = await seated(nodes[0]!, id, {
      name: 'Bob',
      deviceId: device('Bob'),
      seat: bob?.seat,
    });
    expect(withSeat.reply).toMatchObject({ type: 'error', code: 'BANNED' });
    const fresh = await seated(nodes[1]!, id, { name: 'Bob', deviceId: device('Bob') });
    expect(fresh.reply).toMatchObject({ type: 'error', code: 'BANNED' });
    expect(await status(nodes[2]!, id)).toMatchObject({ admitted: 3 });
  });

  it('answers UNAVAILABLE while PostgreSQL is stopped, loses nothing acked, and recovers', async () => {
    const [n1, n2] = nodes as [TestServer, TestServer];
    const { id } = await n1.createRoom();
    const a = await member(n2, id, 'Ada');
    await a.request({ type: 'chat', clientId: 'cl-0000003', text: 'kept' });
    await pg.stop();
    const refused = await a.request({ type: 'chat', clientId: 'cl-0000004', text: 'not now' });
    expect(refused).toMatchObject({ type: 'error', code: 'UNAVAILABLE' });
    const create = await fetch(`${n1.url}/api/rooms`, { method: 'POST' });
    expect(create.status).toBe(503);
    expect(create.headers.get('retry-after')).toBe('2');
    await pg.start();
    // The same message, resent as the app does, is stored once; the earlier one is still there.
    await eventually(async () => {
      const r = await a.request({ type: 'chat', clientId: 'cl-0000004', text: 'not now' });
      return r.type === 'chat-ack';
    }, 15_000);
    const history = await a.request({ type: 'chat-sync', since: 0 });
    expect(history).toMatchObject({
      type: 'chat-history',
      messages: [
        { text: 'kept', seq: 1 },
        { text: 'not now', seq: 2 },
      ],
    });
    expect((await fetch(`${n1.url}/api/rooms`, { method: 'POST' })).status).toBe(201);
  }, 30_000);
});
