// Placement balance through the real path: rooms are created with `POST /api/rooms` through
// HAProxy, then a guest opens `/ws?room=<id>` through HAProxy and joins, which places the
// room (the node that takes the upgrade claims it for the least loaded serving node) and
// makes its owner serve it. All guests stay until every room is placed, so the loads the
// nodes renew are those of rooms really served; then they all leave.

import { KEYS } from '../../../../signaling/src/cluster/keys.ts';
import { round } from '../../lib/stats.ts';
import { pool, type LoadClient } from '../../lib/wsClient.ts';
import { joinVia, newRoom, type Rig } from './rig.ts';

export interface PlacementRow {
  node: string;
  rooms: number;
  /** (rooms - mean) / mean, %. */
  offPct: number;
}

export interface PlacementResult {
  rooms: number;
  nodes: PlacementRow[];
  /** The largest |offPct| over the nodes. */
  spreadPct: number;
  unplaced: number;
  placeSeconds: number;
}

const CONCURRENCY = 16;

export async function measurePlacement(
  rig: Rig,
  count: number,
  log: (line: string) => void,
): Promise<PlacementResult> {
  const { cluster, admin } = rig;
  const ids = await pool(count, CONCURRENCY, () => newRoom(cluster.url));
  const guests: LoadClient[] = [];
  const t0 = performance.now();
  try {
    await pool(count, CONCURRENCY, async (i) => {
      const { client } = await joinVia(cluster.url, ids[i] as string, `guest-${i}`);
      guests.push(client);
    });
    const placeSeconds = (performance.now() - t0) / 1000;
    const owners = await admin.mget(ids.map((id) => KEYS.room(id)));
    const counts = new Map<string, number>(cluster.nodes.map((n) => [n.id, 0]));
    let unplaced = 0;
    for (const owner of owners) {
      if (owner === null) unplaced += 1;
      else counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    const mean = count / counts.size;
    const nodes = [...counts].map(([node, rooms]) => ({
      node,
      rooms,
      offPct: round(((rooms - mean) / mean) * 100, 1),
    }));
    const spreadPct = Math.max(...nodes.map((n) => Math.abs(n.offPct)));
    log(
      `  ${count} rooms placed in ${placeSeconds.toFixed(1)} s: ${nodes.map((n) => `${n.node} ${n.rooms}`).join(', ')} (spread ${spreadPct} %)`,
    );
    return { rooms: count, nodes, spreadPct, unplaced, placeSeconds: round(placeSeconds, 1) };
  } finally {
    await pool(guests.length, CONCURRENCY, (i) => (guests[i] as LoadClient).leave());
  }
}
