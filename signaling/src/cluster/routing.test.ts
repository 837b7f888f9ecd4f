// ClusterRouting against a real redis-server: an upgrade for a room whose owner was killed is
// held until the owner's lease ends and then served by a live node (issue 13, failure 1),
// instead of being answered 502 and sent into the client's backoff.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { RoomId } from '@parley/protocol';
import { startRedis } from '../../../deploy/local/redis.ts';
import type { LocalRedis } from '../../../deploy/local/redis.ts';
import { quietLog } from '../telemetry/log.ts';
import { Cluster, NODE_LEASE_MS, RECLAIM_GRACE_MS } from './cluster.ts';
import { ClusterRouting } from './routing.ts';

const ROOM = 'R'.repeat(22);
let redis: LocalRedis;
let admin: Redis;
let child: ChildProcess | undefined;
let silent: ChildProcess | undefined;
let member: Cluster | undefined;
let http: Server | undefined;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  // As on a cluster that has run a while: no re-claim grace.
  await admin.set('parley:epoch', String(Date.now() - RECLAIM_GRACE_MS - 1));
});
afterAll(async () => {
  child?.kill('SIGKILL');
  silent?.kill('SIGKILL');
  http?.close();
  await member?.close();
  admin.disconnect();
  await redis.stop();
});

/** The fixture node in its own process, holding `room` at a URL nobody answers (port 80). */
async function ownerProcess(id = 'gone', room = ROOM): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./fixtures/node.ts', import.meta.url));
  const owner = spawn(process.execPath, ['--import', 'tsx', script, redis.url, id, room], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    owner.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    owner.once('exit', (code) => reject(new Error(`owner exited with ${code}`)));
  });
  return owner;
}

/** A WebSocket-style upgrade request; resolves with the status the client got. */
function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

it('holds an upgrade while the owner is dead and serves it once the owner’s lease ends', async () => {
  child = await ownerProcess();
  const served = new Set<string>();
  member = await Cluster.join({
    redisUrl: redis.url,
    nodeId: 'alive',
    url: 'http://127.0.0.1/alive',
    localRooms: () => [...served].map((id) => ({ id, peers: 1 })),
    onRoomLost: () => undefined,
  });
  const routing = new ClusterRouting(member, quietLog, () => undefined);
  http = createServer();
  http.on('upgrade', (req, socket, head) => {
    const local = (): void => {
      served.add(ROOM);
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      );
    };
    routing.upgrade(req, socket, head, local).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  child.kill('SIGKILL');
  const killedAt = Date.now();
  expect(await upgradeStatus(port, `/ws?room=${ROOM}`)).toBe(101);
  expect(served.has(ROOM)).toBe(true);
  // Served no sooner than the dead owner's lease allowed, and not much later.
  expect(Date.now() - killedAt).toBeLessThan(2 * NODE_LEASE_MS + 1_000);
  expect(await admin.get(`parley:room:${ROOM}`)).toBe('alive');
});

it('answers a room status itself when the owner does not answer; HLS and check-ins get 502', async () => {
  // An owner that holds its room but cannot be reached, as one that just died looks until
  // its lease ends.
  const room = 'S'.repeat(22);
  silent = await ownerProcess('silent', room);
  const node = await Cluster.join({
    redisUrl: redis.url,
    nodeId: 'asked',
    url: 'http://127.0.0.1/asked',
    localRooms: () => [],
    onRoomLost: () => undefined,
  });
  // Broadcast ids stand for rooms one to one; here the room's own id plays its broadcast id.
  const routing = new ClusterRouting(node, quietLog, (id) =>
    id === room ? (room as RoomId) : undefined,
  );
  const server = createServer((req, res) => {
    const local = (): void => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: room, node: null }));
    };
    routing.request(req, res, local).then(
      (forwarded) => forwarded || local(),
      () => local(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const status = await fetch(`${base}/api/rooms/${room}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ id: room, node: null });
    const hls = await fetch(`${base}/hls/${room}/index.m3u8`);
    expect(hls.status).toBe(502);
    expect(hls.headers.get('retry-after')).toBe('1');
    const viewers = await fetch(`${base}/api/broadcasts/${room}/viewers`, { method: 'POST' });
    expect(viewers.status).toBe(502);
  } finally {
    server.close();
    await node.close();
  }
});
