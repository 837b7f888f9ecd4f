// Registry operations against a real redis-server on loopback, through the classes a node
// uses (NodeRegistry, RoomClaims) on the client a node uses (connectRedis: no offline queue).
// Operations are interleaved round-robin so drift on the shared machine hits each alike; the
// floor is a plain GET on the same client in the same loop.

import { startRedis } from '../../../../deploy/local/index.ts';
import { NODE_LEASE_MS, ROOM_LEASE_MS } from '../../../../signaling/src/cluster/cluster.ts';
import { NodeRegistry, type NodeRecord } from '../../../../signaling/src/cluster/nodeRegistry.ts';
import { connectRedis } from '../../../../signaling/src/cluster/redis.ts';
import { RoomClaims } from '../../../../signaling/src/cluster/roomClaims.ts';
import { round, summarize } from '../../lib/stats.ts';

export interface RegistryPlan {
  samples: number;
  warmUp: number;
  /** Rooms a node holds in the headline renewal (one pipelined round trip for all). */
  renewRooms: number;
  /** A much busier node, for the detail table. */
  renewRoomsBusy: number;
}

export interface OpRow {
  op: string;
  what: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 over the plain GET's p99 in the same run. */
  p99OverGet: number;
}

export async function measureRegistry(plan: RegistryPlan, log: (line: string) => void) {
  const redis = await startRedis();
  const client = connectRedis(redis.url);
  try {
    await client.connect();
    const registry = new NodeRegistry(client, NODE_LEASE_MS);
    const claims = new RoomClaims(client, ROOM_LEASE_MS);
    const record = (id: string): NodeRecord => ({
      id,
      url: `http://127.0.0.1/${id}`,
      state: 'serving',
      peers: 0,
      startedAt: Date.now(),
    });
    // The world a lookup sees: another node "b" holds room "held".
    await registry.renew(record('b'));
    await claims.claim('held', 'b');
    await client.set('floor', 'x');
    const held = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
    const small = held(plan.renewRooms, 'a-room');
    const busy = held(plan.renewRoomsBusy, 'c-room');
    for (const id of small) await claims.claim(id, 'a');
    for (const id of busy) await claims.claim(id, 'c');
    let fresh = 0;
    let released = 0;
    // `every`: sampled on every n-th round only (the busy renewal is slow and only a detail).
    const ops: { op: string; what: string; every?: number; run: () => Promise<unknown> }[] = [
      { op: 'GET (floor)', what: 'a plain GET round trip', run: () => client.get('floor') },
      {
        op: 'claim',
        what: 'a free room (Lua: SET PX + room count)',
        run: () => claims.claim(`fresh-${fresh++}`, 'a'),
      },
      {
        op: 'lookup',
        what: "a room held elsewhere: owner, then the owner's record (2 GETs, as route does)",
        run: async () => registry.get((await claims.owner('held')) ?? ''),
      },
      {
        op: 'renew',
        what: `a node's 1 s renewal: its record (MULTI) + its ${plan.renewRooms} rooms (one pipeline)`,
        run: async () => {
          await registry.renew(record('a'));
          await claims.renew('a', small);
        },
      },
      {
        op: 'renew (busy node)',
        what: `the same for a node holding ${plan.renewRoomsBusy} rooms`,
        every: 5,
        run: async () => {
          await registry.renew(record('c'));
          await claims.renew('c', busy);
        },
      },
      {
        op: 'release',
        what: 'compare-and-delete of a claimed room (Lua)',
        run: () => claims.release(`fresh-${released++}`, 'a'),
      },
    ];
    const times = new Map<string, number[]>(ops.map((o) => [o.op, []]));
    for (let i = 0; i < plan.warmUp + plan.samples; i++) {
      for (const o of ops) {
        if (i % (o.every ?? 1) !== 0) continue;
        const t0 = performance.now();
        await o.run();
        if (i >= plan.warmUp) times.get(o.op)?.push(performance.now() - t0);
      }
    }
    const floorP99 = summarize(times.get('GET (floor)') ?? []).p99;
    const rows: OpRow[] = ops.map((o) => {
      const s = summarize(times.get(o.op) ?? []);
      return {
        op: o.op,
        what: o.what,
        p50Ms: round(s.p50, 3),
        p95Ms: round(s.p95, 3),
        p99Ms: round(s.p99, 3),
        maxMs: round(s.max, 3),
        p99OverGet: round(s.p99 / floorP99),
      };
    });
    log(`  registry p99: ${rows.map((r) => `${r.op} ${r.p99Ms} ms`).join(', ')}`);
    return { samples: plan.samples, renewRooms: plan.renewRooms, rows };
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

export type RegistryResult = Awaited<ReturnType<typeof measureRegistry>>;
