import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type ClusterNode, type LocalCluster } from './cluster.ts';
import { httpGet } from './net.ts';
import { redisPing } from './redis.ts';

/** Polls `check` until it holds; no fixed sleeps. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Health {
  status: number;
  connections?: number;
  /** The answering node's id, once the server reports it (issue 13). */
  node?: string;
}

async function health(port: number): Promise<Health> {
  const { status, body } = await httpGet(port, '/healthz');
  const json = JSON.parse(body) as Record<string, unknown>;
  const id = json.node ?? json.nodeId;
  return {
    status,
    connections: typeof json.connections === 'number' ? json.connections : undefined,
    node: typeof id === 'string' ? id : undefined,
  };
}

/**
 * Opens `/ws` through the proxy and holds the upgraded socket without joining (the server
 * keeps it until its join timeout, 15 s). A bare HTTP upgrade: no client library needed.
 */
function openSocket(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const upgrade = request({
      host: '127.0.0.1',
      port,
      path: '/ws',
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    upgrade.once('upgrade', (_response, socket) => resolve(socket));
    upgrade.once('response', (response) => reject(new Error(`/ws: ${response.statusCode}`)));
    upgrade.once('error', reject);
    upgrade.end();
  });
}

/** Waits until no node holds a connection, so the next round starts from zero. */
async function allIdle(nodes: readonly ClusterNode[]) {
  for (const node of nodes) {
    await eventually(`${node.id} holding no connection`, async () => {
      return (await health(node.port)).connections === 0;
    });
  }
}

/**
 * True when connections through HAProxy reach every node: HAProxy balances by least
 * connections, so while each socket is held the next one goes to a node holding none; every
 * node must then count exactly one, seen on its own port.
 */
async function oneSocketEach(cluster: LocalCluster, nodes: readonly ClusterNode[]) {
  await allIdle(nodes);
  const sockets: Duplex[] = [];
  try {
    for (let i = 0; i < nodes.length; i += 1) sockets.push(await openSocket(cluster.haproxy.port));
    const counts = () => Promise.all(nodes.map(async (n) => (await health(n.port)).connections));
    const total = async () => (await counts()).reduce((sum: number, c) => sum + (c ?? 0), 0);
    await eventually(
      'every socket counted by a node',
      async () => (await total()) === nodes.length,
    );
    return (await counts()).every((count) => count === 1);
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

/** `work`, with the nodes' last output added to its error, if it fails. */
async function quoting<T>(nodes: readonly ClusterNode[], work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const logs = nodes.map(
      (node) => `--- ${node.id} (pid ${node.pid ?? 'none'}) ---\n${node.logs()}`,
    );
    throw new Error(`${String(error)}\n${logs.join('\n')}`, { cause: error });
  }
}

describe('startCluster', () => {
  let cluster: LocalCluster;

  // Longer than the default hook timeout: PostgreSQL's initdb and two `node --import tsx`
  // servers starting at once, while the rest of the unit project runs, took over 60 s in CI.
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  }, 180_000);
  afterAll(() => cluster?.stop());

  it('starts two nodes behind HAProxy, each with its own port and data', async () => {
    expect(cluster.url).toBe(`http://127.0.0.1:${cluster.haproxy.port}`);
    expect(cluster.nodes.map((node) => node.id)).toEqual(['node1', 'node2']);
    const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    expect(a.port).not.toBe(b.port);
    expect(a.dataDir).not.toBe(b.dataDir);
    expect(a.running && b.running).toBe(true);
    expect((await health(cluster.haproxy.port)).status).toBe(200);
  });

  it('reaches both nodes through HAProxy', async () => {
    expect(await oneSocketEach(cluster, cluster.nodes)).toBe(true);
    // Once the server reports its NODE_ID in /healthz, each node must report its own.
    for (const node of cluster.nodes) {
      const { node: reported } = await health(node.port);
      if (reported !== undefined) expect(reported).toBe(node.id);
    }
  });

  it('answers through the survivor when a node is killed, and takes it back', async () => {
    const [victim, survivor] = cluster.nodes as [ClusterNode, ClusterNode];
    await victim.kill('SIGKILL');
    expect(victim.running).toBe(false);
    expect(victim.pid).toBeUndefined();
    // From the kill on, not one failed answer: HAProxy retries a refused connection on the
    // other node (`option redispatch`) until its health check takes the dead one out.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await health(cluster.haproxy.port)).status);
    expect(statuses).toEqual(Array(20).fill(200));
    expect((await health(survivor.port)).status).toBe(200);

    await victim.start();
    expect(victim.running).toBe(true);
    // HAProxy takes it back at its next health check (every 300 ms here).
    const reached = eventually('both nodes reached again', () =>
      oneSocketEach(cluster, cluster.nodes),
    );
    await quoting(cluster.nodes, reached);
  });

  it('puts an added node behind HAProxy', async () => {
    const added = await cluster.addNode();
    expect(added.id).toBe('node3');
    expect(cluster.nodes).toHaveLength(3);
    const reached = eventually('all three reached', () => oneSocketEach(cluster, cluster.nodes));
    await quoting(cluster.nodes, reached);
  });

  it('stops every process on stop()', async () => {
    const pids = cluster.nodes.map((node) => node.pid);
    await cluster.stop();
    expect(cluster.nodes.every((node) => !node.running)).toBe(true);
    for (const pid of pids) {
      expect(pid).toBeTypeOf('number');
      // Signal 0 only asks whether the process exists.
      expect(() => process.kill(pid as number, 0)).toThrow();
    }
    await expect(httpGet(cluster.haproxy.port, '/healthz')).rejects.toThrow();
    await expect(redisPing(cluster.redis.port)).rejects.toThrow();
  });
});
