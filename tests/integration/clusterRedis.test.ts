// Redis restarts (empty) under three running nodes: calls go on, nodes re-register and
// re-claim their rooms, and joins racing the restart never leave a room served by two nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomStatus } from '@parley/protocol';
import { Redis } from 'ioredis';
import { startPostgres, startRedis } from '../../deploy/local/index.ts';
import type { LocalPostgres, LocalRedis } from '../../deploy/local/index.ts';
import { TestClient, eventually } from './support/client.ts';
import { RECLAIM_GRACE_MS } from '../../signaling/src/cluster/cluster.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

let redis: LocalRedis;
let pg: LocalPostgres;
const nodes: TestServer[] = [];
const clients: TestClient[] = [];

async function member(node: TestServer, roomId: string, name: string): Promise<TestClient> {
  const client = await TestClient.ready(node.url, `/ws?room=${roomId}`);
  clients.push(client);
  await client.join(roomId, name);
  return client;
}

/**
 * Which nodes serve the room themselves right now. Asked with the forwarding mark, a node
 * answers from its own state instead of passing the request to the owner: `node` is its own
 * id when the room is live there.
 */
async function servers(roomId: string): Promise<string[]> {
  const answers = await Promise.all(
    nodes.map(async (n) => {
      const res = await fetch(`${n.url}/api/rooms/${roomId}`, {
        headers: { 'x-parley-forwarded-by': 'test' },
      });
      return ((await res.json()) as RoomStatus).node ?? null;
    }),
  );
  return answers.filter((a): a is string => a !== null);
}

beforeAll(async () => {
  [redis, pg] = await Promise.all([startRedis(), startPostgres()]);
  for (const id of ['r1', 'r2', 'r3']) {
    nodes.push(
      await startTestServer({
        databaseUrl: pg.url,
        cluster: { redisUrl: redis.url, nodeId: id, publicUrl: undefined },
        jwtSecret: 'a-shared-secret-of-at-least-32-characters',
      }),
    );
  }
  await new Promise((r) => setTimeout(r, RECLAIM_GRACE_MS + 100)); // a fresh Redis's grace
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await Promise.all(nodes.map((n) => n.dispose()));
  await redis?.stop();
  await pg?.cleanup();
});

describe('cluster when Redis restarts', () => {
  it('keeps calls going, re-claims every room, and never serves a room twice', async () => {
    const rooms: { id: string; first: TestClient }[] = [];
    for (let i = 0; i < 6; i++) {
      const { id } = await nodes[0]!.createRoom();
      rooms.push({ id, first: await member(nodes[i % 3]!, id, `First${i}`) });
    }
    const before = await Promise.all(rooms.map((r) => servers(r.id)));
    for (const s of before) expect(s).toHaveLength(1);

    // Redis stops (no persistence: every key goes with it). While it is away and while it comes
    // back, a second person joins each room through a different node, retrying like the app (a
    // join is refused while Redis is away, and held during the re-claim grace). Redis starts
    // again once a join was refused, so the joins always race the restart.
    let refused = (): void => undefined;
    const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
    const joinSoon = async (r: (typeof rooms)[number], i: number): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await member(nodes[(i + 1) % 3]!, r.id, `Second${i}`);
          return attempt;
        } catch (error) {
          refused();
          if (attempt > 50) throw error;
          await new Promise((done) => setTimeout(done, 100));
        }
      }
    };
    await redis.stop();
    const joining = Promise.all(rooms.map(joinSoon));
    await firstRefusal;
    await redis.start();
    const attempts = await joining;
    // Some joins raced the restart (refused first), which is what this test is about.
    expect(Math.max(...attempts)).toBeGreaterThan(1);

    // Running calls never dropped: the first sockets are open and chat still flows.
    for (const [i, r] of rooms.entries()) {
      expect(r.first.ws.readyState).toBe(r.first.ws.OPEN);
      const ack = await r.first.request({
        type: 'chat',
        clientId: `cl-redis-${i}`,
        text: 'still here',
      });
      expect(ack.type).toBe('chat-ack');
    }
    // Every room is held again in Redis, by the one node that serves it.
    const admin = new Redis(redis.url);
    try {
      await eventually(async () => {
        const owners = await Promise.all(rooms.map((r) => admin.get(`parley:room:${r.id}`)));
        return owners.every((o) => o !== null);
      }, 10_000);
      for (const [i, r] of rooms.entries()) {
        const serving = await servers(r.id);
        expect(serving, `room ${i} is served by ${serving.join(', ')}`).toHaveLength(1);
        expect(await admin.get(`parley:room:${r.id}`)).toBe(serving[0]);
        await r.first.next((m) => m.type === 'peer-joined' && m.peer.name === `Second${i}`);
      }
      expect((await admin.zrange('parley:nodes', 0, -1)).sort()).toEqual(['r1', 'r2', 'r3']);
    } finally {
      admin.disconnect();
    }
  }, 40_000);
});
