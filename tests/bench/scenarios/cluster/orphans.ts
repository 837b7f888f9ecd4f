// Orphaned Redis keys: every `parley:*` key (and every member of the two node indexes) is
// checked against what is alive: the running nodes and the rooms that still have a guest.
// Two moments: after N rooms were created, joined and left; and after a node was SIGKILLed
// while it held rooms and its leases ran out.

import type { Redis } from 'ioredis';
import { ROOM_LEASE_MS } from '../../../../signaling/src/cluster/cluster.ts';
import { KEYS } from '../../../../signaling/src/cluster/keys.ts';
import { pool, type LoadClient } from '../../lib/wsClient.ts';
import { joinVia, newRoom, nodeById, ownerOf, until, type Rig } from './rig.ts';

export interface KeyRow {
  key: string;
  verdict: 'live' | 'orphan';
  why: string;
}

export interface Census {
  keys: KeyRow[];
  /** Keys that belong to no live node or room. */
  orphanKeys: number;
  /** Members of `parley:nodes` / `parley:room-counts` naming a node that is not running. */
  staleMembers: string[];
}

const ROOM = KEYS.room('');
const NODE = KEYS.node('');

/** Every `parley:*` key, each with why it may be there (or why not). */
export async function census(
  admin: Redis,
  liveNodes: ReadonlySet<string>,
  liveRooms: ReadonlySet<string>,
): Promise<Census> {
  const keys: KeyRow[] = [];
  const staleMembers: string[] = [];
  for (const key of (await admin.keys('parley:*')).sort()) {
    if (key === KEYS.epoch) {
      keys.push({ key, verdict: 'live', why: 'when this Redis began serving the cluster' });
    } else if (key === KEYS.nodes || key === KEYS.roomCounts) {
      const members = await admin.zrange(key, 0, -1);
      const stale = members.filter((m) => !liveNodes.has(m));
      staleMembers.push(...stale.map((m) => `${key} ${m}`));
      keys.push({
        key,
        verdict: 'live',
        why: `index of ${members.join(', ')}${stale.length ? ` (stale: ${stale.join(', ')})` : ''}`,
      });
    } else if (key.startsWith(NODE)) {
      const id = key.slice(NODE.length);
      const alive = liveNodes.has(id);
      keys.push({
        key,
        verdict: alive ? 'live' : 'orphan',
        why: alive ? `lease of running ${id}` : `${id} is not running`,
      });
    } else if (key.startsWith(ROOM)) {
      const id = key.slice(ROOM.length);
      const owner = (await admin.get(key)) ?? '';
      const alive = liveRooms.has(id) && liveNodes.has(owner);
      keys.push({
        key,
        verdict: alive ? 'live' : 'orphan',
        why: alive ? `held by ${owner}, a guest is in it` : `held by ${owner}, nobody in it`,
      });
    } else {
      keys.push({ key, verdict: 'orphan', why: 'not a key Parley knows' });
    }
  }
  return { keys, orphanKeys: keys.filter((k) => k.verdict === 'orphan').length, staleMembers };
}

const running = (rig: Rig): Set<string> =>
  new Set(rig.cluster.nodes.filter((n) => n.running).map((n) => n.id));

const CONCURRENCY = 10;

/** `count` rooms created, joined by one guest each through HAProxy, then left. */
export async function afterRoomsClosed(rig: Rig, count: number): Promise<Census> {
  const { cluster, admin } = rig;
  const ids = await pool(count, CONCURRENCY, () => newRoom(cluster.url));
  const guests = await pool(count, CONCURRENCY, async (i) => {
    return (await joinVia(cluster.url, ids[i] as string, `guest-${i}`)).client;
  });
  await pool(count, CONCURRENCY, (i) => (guests[i] as LoadClient).leave());
  // Each room is released as its last guest leaves (compare-and-delete); allow it a moment.
  const gone = async () => (await admin.keys(`${ROOM}*`)).length === 0;
  await until(gone, 2_000);
  return census(admin, running(rig), new Set());
}

export interface DeathResult {
  killed: string;
  roomsOnKilled: number;
  roomsElsewhere: number;
  /** Kill -> the last key of the dead node (its record and its rooms) gone, ms. */
  keysGoneMs: number;
  /** After its leases ran out, before anything else touched the cluster. */
  afterLeases: Census;
  /** After the next placement (it lists the nodes, which prunes the indexes). */
  afterNextPlacement: Census;
  /** After every other guest left too. */
  afterAllLeft: Census;
}

/**
 * A guest connected straight to the room's owner. Placed through HAProxy first, as the app
 * does; but a socket through HAProxy may be spliced through another node, and killing that
 * node would drop a guest whose room lives on: its seat would then hold the room for the
 * resume window. So a second guest joins the owner directly and the first one leaves.
 */
async function anchor(rig: Rig, roomId: string, owners: (string | undefined)[], i: number) {
  const placer = await joinVia(rig.cluster.url, roomId, `placer-${i}`);
  const owner = await ownerOf(rig.admin, roomId);
  if (!owner) throw new Error(`room ${roomId} has no owner`);
  owners[i] = owner;
  const guest = await joinVia(nodeById(rig.cluster, owner).url, roomId, `guest-${i}`);
  await placer.client.leave();
  return guest.client;
}

/**
 * `count` rooms with one guest each; the node holding the most is SIGKILLed. Its guests do not
 * come back (this is about its keys); the others stay until the end.
 */
export async function afterNodeDeath(rig: Rig, count: number): Promise<DeathResult> {
  const { cluster, admin } = rig;
  const ids = await pool(count, CONCURRENCY, () => newRoom(cluster.url));
  const owners: (string | undefined)[] = [];
  const guests = await pool(count, CONCURRENCY, (i) => anchor(rig, ids[i] as string, owners, i));
  const tally = new Map<string, number>();
  for (const o of owners) if (o) tally.set(o, (tally.get(o) ?? 0) + 1);
  const [killed] = [...tally].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!killed) throw new Error('no room was placed');
  const survivors = ids.filter((_, i) => owners[i] !== killed);
  const t0 = performance.now();
  await nodeById(cluster, killed).kill('SIGKILL');
  for (const [i, g] of guests.entries()) if (owners[i] === killed) g.close();
  const deadKeys = async () =>
    (await admin.exists(KEYS.node(killed), ...ids.map((id) => KEYS.room(id)).filter((_, i) => owners[i] === killed))) === 0; // prettier-ignore
  await until(deadKeys, ROOM_LEASE_MS + 4_000);
  const keysGoneMs = Math.round(performance.now() - t0);
  const afterLeases = await census(admin, running(rig), new Set(survivors));
  // The next placement: one more room, one guest, who leaves again.
  const extraId = await newRoom(cluster.url);
  const extra = await joinVia(cluster.url, extraId, 'next');
  await extra.client.leave();
  await until(async () => (await ownerOf(admin, extraId)) === undefined, 2_000);
  const afterNextPlacement = await census(admin, running(rig), new Set(survivors));
  await Promise.all(guests.map((g, i) => (owners[i] === killed ? undefined : g.leave())));
  await until(async () => (await admin.keys(`${ROOM}*`)).length === 0, 2_000);
  return {
    killed,
    roomsOnKilled: ids.length - survivors.length,
    roomsElsewhere: survivors.length,
    keysGoneMs,
    afterLeases,
    afterNextPlacement,
    afterAllLeft: await census(admin, running(rig), new Set()),
  };
}
