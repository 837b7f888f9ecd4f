// The cluster's Redis side against a real redis-server: atomic claims, leases that end with
// their node, compare-and-delete, placement spread, a Redis restart, and no keys left behind.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startRedis } from '../../../deploy/local/redis.ts';
import type { LocalRedis } from '../../../deploy/local/redis.ts';
import { Cluster, NODE_LEASE_MS, RECLAIM_GRACE_MS } from './cluster.ts';

let redis: LocalRedis;
let admin: Redis;
const started: Cluster[] = [];

/** A node with a set of rooms it "serves" (what Rooms would report). */
async function node(id: string, served = new Set<string>(), lost: string[] = []) {
  const cluster = await Cluster.join({
    redisUrl: redis.url,
    nodeId: id,
    url: `http://127.0.0.1/${id}`,
    localRooms: () => [...served].map((r) => ({ id: r, peers: 1 })),
    onRoomLost: (roomId) => {
      served.delete(roomId);
      lost.push(roomId);
    },
  });
  started.push(cluster);
  return { cluster, served, lost };
}

/** Routes a room from `via` and, when it lands on one of `nodes`, makes that node serve it. */
async function open(via: Cluster, roomId: string, nodes: Awaited<ReturnType<typeof node>>[]) {
  const route = await via.route(roomId);
  const ownerId = route.local ? via.nodeId : route.node.id;
  nodes.find((n) => n.cluster.nodeId === ownerId)?.served.add(roomId);
  return ownerId;
}

const children: ChildProcess[] = [];

/** A node in its own process, serving `rooms`, for tests that kill it with SIGKILL. */
async function processNode(id: string, rooms: string[]): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./fixtures/node.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, redis.url, id, ...rooms], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
  });
  return child;
}

const waitFor = async (check: () => Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(started.splice(0).map((c) => c.close()));
  await admin.flushall();
});
afterAll(async () => {
  admin.disconnect();
  await redis.stop();
});

/** Lets the re-claim grace of a fresh Redis pass, as on a cluster that has run a while. */
const pastGrace = async (): Promise<void> => {
  await admin.set('parley:epoch', String(Date.now() - RECLAIM_GRACE_MS - 1));
};

describe('cluster placement in Redis', () => {
  it('puts a room on exactly one node however many route it at once', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => node(id)));
    await pastGrace();
    const owners = await Promise.all(
      Array.from({ length: 30 }, (_, i) => open(nodes[i % 3]!.cluster, 'room-1', nodes)),
    );
    expect(new Set(owners).size).toBe(1);
    expect(nodes.filter((n) => n.served.has('room-1'))).toHaveLength(1);
  });

  it('spreads new rooms evenly over the serving nodes, never onto a draining one', async () => {
    const nodes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => node(id)));
    await pastGrace();
    await nodes[3]!.cluster.drain();
    for (let i = 0; i < 300; i++) await open(nodes[i % 4]!.cluster, `r${i}`, nodes);
    const counts = nodes.map((n) => n.served.size);
    expect(counts[3]).toBe(0);
    for (const c of counts.slice(0, 3)) expect(Math.abs(c - 100)).toBeLessThanOrEqual(10);
  });

  it('moves a dead node’s room to a live node once its lease ends', async () => {
    const b = await node('b');
    await pastGrace();
    const a = await processNode('a', ['room-x']);
    expect(await admin.get('parley:room:room-x')).toBe('a');
    expect(await b.cluster.route('room-x')).toMatchObject({ local: false, node: { id: 'a' } });
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => (await b.cluster.route('room-x')).local, NODE_LEASE_MS + 2_000);
    expect(Date.now() - killedAt).toBeGreaterThan(NODE_LEASE_MS / 2);
    expect(await admin.get('parley:room:room-x')).toBe('b');
  });

  it('never releases a room for a node that no longer holds it', async () => {
    const a = await node('a');
    const b = await node('b');
    await pastGrace();
    await admin.set('parley:room:r', 'b', 'PX', 60_000);
    await a.cluster.release('r');
    expect(await admin.get('parley:room:r')).toBe('b');
    await b.cluster.release('r');
    expect(await admin.get('parley:room:r')).toBeNull();
  });

  it('after a Redis restart, owners re-claim their rooms and no room is served twice', async () => {
    const nodes = await Promise.all(['a', 'b', 'c'].map((id) => node(id)));
    await pastGrace();
    for (let i = 0; i < 30; i++) await open(nodes[i % 3]!.cluster, `room-${i}`, nodes);
    await redis.restart(); // empty: no persistence
    // Joins keep arriving on every node while Redis comes back.
    const joins = Array.from({ length: 30 }, (_, i) =>
      open(nodes[(i + 1) % 3]!.cluster, `room-${i}`, nodes).catch(() => 'unavailable'),
    );
    await Promise.all(joins);
    await waitFor(async () => (await admin.dbsize()) > 30, 5_000);
    for (let i = 0; i < 30; i++) {
      const servers = nodes.filter((n) => n.served.has(`room-${i}`)).map((n) => n.cluster.nodeId);
      expect(servers, `room-${i}`).toHaveLength(1);
      expect(await admin.get(`parley:room:room-${i}`)).toBe(servers[0]);
    }
    expect(nodes.flatMap((n) => n.lost)).toEqual([]);
  });

  it('leaves no key behind after rooms close and after a node dies', async () => {
    const a = await node('a');
    const b = await node('b');
    await pastGrace();
    for (let i = 0; i < 100; i++) await open(i % 2 ? a.cluster : b.cluster, `room-${i}`, [a, b]);
    for (const n of [a, b]) {
      for (const id of [...n.served]) {
        await n.cluster.release(id);
        n.served.delete(id);
      }
    }
    expect(await admin.keys('parley:room:*')).toEqual([]);
    // A node dies holding rooms: its lease keys expire, the next listing prunes the indexes.
    const dead = await processNode('d', ['room-d1', 'room-d2']);
    dead.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 6_500)); // ROOM_LEASE_MS and a margin
    await a.cluster.nodes();
    const keys = (await admin.keys('parley:*')).sort();
    expect(keys).toEqual([
      'parley:epoch',
      'parley:node:a',
      'parley:node:b',
      'parley:nodes',
      'parley:room-counts',
    ]);
    expect((await admin.zrange('parley:nodes', 0, -1)).sort()).toEqual(['a', 'b']);
    expect((await admin.zrange('parley:room-counts', 0, -1)).sort()).toEqual(['a', 'b']);
  }, 20_000);

  it('a release racing a renewal leaves no key behind', async () => {
    const a = await node('a');
    await pastGrace();
    for (let i = 0; i < 50; i++) await open(a.cluster, `race-${i}`, [a]);
    // Each room closes while a renewal that listed it is in flight.
    await Promise.all(
      [...a.served].map(async (id) => {
        const renewal = a.cluster.renew();
        a.served.delete(id);
        await Promise.all([renewal, a.cluster.release(id)]);
      }),
    );
    await a.cluster.renew();
    expect(await admin.keys('parley:room:*')).toEqual([]);
  });

  it('taking over a dead node’s room does not bring back its count', async () => {
    const a = await node('a');
    await pastGrace();
    const dead = await processNode('d', ['room-t']);
    dead.kill('SIGKILL');
    // Its node lease ends first (3 s); its room key (6 s) is still there to take over.
    await waitFor(async () => (await admin.exists('parley:node:d')) === 0, NODE_LEASE_MS + 2_000);
    await a.cluster.nodes(); // prunes "d" from the indexes
    expect(await admin.get('parley:room:room-t')).toBe('d');
    expect(await a.cluster.route('room-t')).toEqual({ local: true });
    expect(await admin.zrange('parley:room-counts', 0, -1)).toEqual(['a']);
  });
});
