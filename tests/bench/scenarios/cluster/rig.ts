// The cluster every part runs against: `startCluster` from deploy/local (Redis, PostgreSQL,
// HAProxy and N Parley node processes on loopback), an admin Redis client that reads the
// keys the nodes write, and the client steps the parts share.

import { Redis } from 'ioredis';
import {
  startCluster,
  type ClusterNode,
  type LocalCluster,
} from '../../../../deploy/local/index.ts';
import { KEYS } from '../../../../signaling/src/cluster/keys.ts';
import { sleep } from '../../lib/stats.ts';
import { LoadClient, createRoom, type Message } from '../../lib/wsClient.ts';

/**
 * SFU ports above Linux's ephemeral range (32768-60999), clear of startCluster's default
 * (50000), so a cluster test running beside the bench cannot collide with it.
 */
const SFU_PORT_BASE = 61_000;

export interface Rig {
  cluster: LocalCluster;
  /** Reads what the nodes keep in Redis. */
  admin: Redis;
  stop(): Promise<void>;
}

export async function startRig(nodes: number): Promise<Rig> {
  // The API only: no PWA to build or serve.
  // A node's start (tsx compiling the server) took over 60 s with the shared 2 cores at a
  // load average of 30: give it three minutes.
  const cluster = await startCluster({
    nodes,
    staticDir: '',
    sfuPortBase: SFU_PORT_BASE,
    nodeStartTimeoutMs: 180_000,
  });
  const admin = new Redis(cluster.redis.url);
  return {
    cluster,
    admin,
    async stop() {
      admin.disconnect();
      await cluster.stop();
    },
  };
}

/** The id of the node that holds `roomId` in Redis (undefined: nobody). */
export async function ownerOf(admin: Redis, roomId: string): Promise<string | undefined> {
  return (await admin.get(KEYS.room(roomId))) ?? undefined;
}

export function nodeById(cluster: LocalCluster, id: string): ClusterNode {
  const node = cluster.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  return node;
}

/** A room created through `baseUrl` (`POST /api/rooms`, waiting room off). */
export async function newRoom(baseUrl: string): Promise<string> {
  return (await createRoom(baseUrl)).id;
}

/** Opens `/ws?room=<id>` at `baseUrl` as the app does, says hello and joins. */
export async function joinVia(
  baseUrl: string,
  roomId: string,
  name: string,
  timeoutMs = 10_000,
): Promise<{ client: LoadClient; joined: Message }> {
  const client = await LoadClient.ready(baseUrl, timeoutMs, roomId);
  try {
    const joined = await client.request(
      { type: 'join', roomId, name, media: { audio: true, video: true } },
      timeoutMs,
    );
    return { client, joined };
  } catch (error) {
    client.close();
    throw error;
  }
}

/**
 * The app's reconnect backoff (`retryDelay` in app/src/call/session/SignalingClient.ts,
 * which the Node-side tests cannot import: it is browser code): half to all of
 * 500 ms * 2^attempt, capped at 8 s.
 */
export function appRetryDelay(attempt: number, random = Math.random()): number {
  const ceiling = Math.min(8_000, 500 * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random / 2));
}

/** Polls `check` every 50 ms until it holds; false when `timeoutMs` passes first. */
export async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
}
