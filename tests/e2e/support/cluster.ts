import type { BrowserContext, Page } from 'playwright-core';
import type { CreateRoomResponse, RoomStatus } from '@parley/protocol';
import { startCluster } from '../../../deploy/local/index.ts';
import type { LocalCluster } from '../../../deploy/local/index.ts';
import { connectRedis } from '../../../signaling/src/cluster/redis.ts';
import { NodeRegistry } from '../../../signaling/src/cluster/nodeRegistry.ts';
import type { NodeLoad } from '../../../signaling/src/cluster/nodeRegistry.ts';
import { NODE_LEASE_MS } from '../../../signaling/src/cluster/cluster.ts';
import { TestClient } from '../../integration/support/client.ts';
import { testAppDir } from './server.ts';
import { selfId, tileStats } from './call.ts';
import { waitFor } from './wait.ts';

/**
 * `npm run cluster`'s topology (deploy/local): Redis, PostgreSQL, `nodes` Parley processes and
 * HAProxy, every node serving the debug build of the app. Mesh up to two peers, so a call of
 * three is on the SFU; broadcasts at a small picture so FFmpeg stays light on two cores. No TURN: like the
 * other e2e suites, pages and SFUs meet on host candidates of this machine.
 */
export function startE2eCluster(nodes = 3): Promise<LocalCluster> {
  return startCluster({
    nodes,
    staticDir: testAppDir(),
    // Above Linux's ephemeral range and clear of the bench's cluster (61000) and of
    // startCluster's default (50000, deploy/local's own tests), which may run beside us.
    sfuPortBase: 62_000,
    env: {
      // Two people on the mesh, the third moves a call to the SFU: four pages cover both.
      MESH_MAX_PEERS: '2',
      HLS_WIDTH: '320',
      HLS_HEIGHT: '180',
      HLS_FPS: '15',
      HLS_VIDEO_KBPS: '300',
      STUN_URLS: '',
    },
  });
}

/** `POST /api/rooms` with the waiting room off. */
export async function createRoomAt(baseUrl: string): Promise<CreateRoomResponse> {
  const res = await fetch(`${baseUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ settings: { waitingRoom: false } }),
  });
  if (res.status !== 201) throw new Error(`POST /api/rooms: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreateRoomResponse;
}

/** `GET /api/rooms/<id>`, from whichever node `baseUrl` reaches. */
export async function statusAt(baseUrl: string, roomId: string): Promise<RoomStatus> {
  const res = await fetch(`${baseUrl}/api/rooms/${roomId}`);
  if (res.status !== 200) throw new Error(`GET /api/rooms/${roomId}: ${res.status}`);
  return (await res.json()) as RoomStatus;
}

/** Makes the pages of `context` the room's host, as the browser that created it would be. */
export async function holdHostKey(context: BrowserContext, room: CreateRoomResponse) {
  await context.addInitScript(
    ([key, value]) => {
      const g = globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } };
      g.localStorage.setItem(key as string, value as string);
    },
    [`parley.hostKey.${room.id}`, room.hostKey],
  );
}

/** A protocol client (no media) in `roomId`, connected as the app connects: `/ws?room=<id>`. */
export async function protocolMember(baseUrl: string, roomId: string, name: string) {
  const client = await TestClient.ready(baseUrl, `/ws?room=${roomId}`);
  await client.join(roomId, name);
  return client;
}

/**
 * The cluster's nodes as placement sees them (the registry in Redis, read with the server's
 * own code), so a test can tell which node the next new room goes to.
 */
export class PlacementView {
  readonly #redis;
  readonly #registry;

  private constructor(redisUrl: string) {
    this.#redis = connectRedis(redisUrl);
    this.#registry = new NodeRegistry(this.#redis, NODE_LEASE_MS);
  }

  static async open(redisUrl: string): Promise<PlacementView> {
    const view = new PlacementView(redisUrl);
    await view.#redis.connect();
    return view;
  }

  nodes(): Promise<NodeLoad[]> {
    return this.#registry.list();
  }

  close(): void {
    this.#redis.disconnect();
  }
}

/** The peer id each page has now, or null while it is not in the call. */
export function selfIds(pages: Page[]): Promise<(string | null)[]> {
  return Promise.all(pages.map((p) => selfId(p).catch(() => null)));
}

export interface RoomPages {
  name: string;
  pages: Page[];
}

/** The ids of the camera tracks a page shows now. */
export async function cameraTracks(page: Page): Promise<Set<string>> {
  const tiles = await tileStats(page);
  return new Set(tiles.flatMap((t) => (t.source === 'camera' && t.trackId ? [t.trackId] : [])));
}

/**
 * When each page decodes every other page of its room again, in ms since `since`: a camera
 * tile for each of them, on a track the page did not have before the kill (`old`). Mesh
 * media may flow peer to peer for a while after the node died; only the call rebuilt on the
 * new owner counts.
 */
export async function timeRecovery(
  rooms: RoomPages[],
  old: Map<Page, Set<string>>,
  since: number,
  deadlineMs: number,
) {
  const done = new Map<Page, { room: string; page: number; ms: number }>();
  const total = rooms.reduce((n, r) => n + r.pages.length, 0);
  const check = async (page: Page, others: string[]): Promise<boolean> => {
    const seen = old.get(page) ?? new Set();
    const tiles = await tileStats(page);
    return others.every((id) =>
      tiles.some(
        (t) =>
          t.source === 'camera' &&
          t.peerId === id &&
          t.trackId !== null &&
          !seen.has(t.trackId) &&
          t.framesDecoded > 0,
      ),
    );
  };
  try {
    await waitFor(
      'every page to decode its room again',
      async () => {
        for (const r of rooms) {
          const ids = await selfIds(r.pages);
          if (ids.some((id) => id === null)) continue;
          await Promise.all(
            r.pages.map(async (page, i) => {
              if (done.has(page)) return;
              if (await check(page, ids.filter((_, j) => j !== i) as string[])) {
                done.set(page, { room: r.name, page: i, ms: Date.now() - since });
              }
            }),
          );
        }
        return done.size === total;
      },
      { timeoutMs: deadlineMs, intervalMs: 100 },
    );
  } catch (error) {
    const back = [...done.values()].map((d) => `${d.room}#${d.page}`).join(', ');
    throw new Error(`only these pages decode again: ${back || 'none'}`, { cause: error });
  }
  return [...done.values()];
}
