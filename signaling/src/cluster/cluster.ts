import type { Redis } from 'ioredis';
import { connectRedis } from './redis.ts';
import { NodeRegistry } from './nodeRegistry.ts';
import type { NodeLoad, NodeRecord, NodeState } from './nodeRegistry.ts';
import { RoomClaims } from './roomClaims.ts';

/** Leases and their renewal (ms). A dead node's rooms move within about NODE_LEASE_MS. */
export const NODE_LEASE_MS = 3_000;
export const ROOM_LEASE_MS = 6_000;
export const RENEW_EVERY_MS = 1_000;
/**
 * After a Redis (re)start, owners get this long to re-claim their rooms before anyone else.
 * Each node renews as soon as its client is back, but reconnecting backs off up to 1 s and a
 * busy event loop delays both: 3 s was not enough on two loaded cores (another node took
 * running rooms over, dropping their calls).
 */
export const RECLAIM_GRACE_MS = 5 * RENEW_EVERY_MS;
/** How long `route` keeps trying (grace, races) before it gives up with ClusterUnavailable. */
const ROUTE_DEADLINE_MS = 8_000;

/** Redis is unreachable or no node can take the room: retry later (HTTP 503). */
export class ClusterUnavailable extends Error {
  override name = 'ClusterUnavailable';
}

export interface ClusterOptions {
  redisUrl: string;
  nodeId: string;
  /** Where the other nodes reach this one. */
  url: string;
  /** The rooms this node serves right now, with their admitted peers. */
  localRooms(): Iterable<{ id: string; peers: number }>;
  /** Another node holds a room we serve (split after a Redis restart): stop serving it. */
  onRoomLost(roomId: string, owner: string): void;
  /** A renewal failed (Redis away); running rooms keep going. */
  onRenewError?(error: unknown): void;
  /** Test seam; default Date.now. */
  now?: () => number;
}

/** Where a room lives, as `route` found it. */
export type Route = { local: true } | { local: false; node: NodeRecord };

/**
 * This node's membership of the cluster: its lease in the registry, the claims of the rooms it
 * serves, and placement (`route`): who holds a room, claiming it for the least loaded serving
 * node when nobody does or its owner died.
 */
export class Cluster {
  readonly nodeId: string;
  #state: NodeState = 'serving';
  readonly #redis: Redis;
  readonly #registry: NodeRegistry;
  readonly #claims: RoomClaims;
  readonly #startedAt: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> | undefined;
  #closed = false;

  private constructor(private readonly options: ClusterOptions) {
    this.nodeId = options.nodeId;
    const now = options.now ?? Date.now;
    this.#startedAt = now();
    this.#redis = connectRedis(options.redisUrl);
    this.#registry = new NodeRegistry(this.#redis, NODE_LEASE_MS, now);
    this.#claims = new RoomClaims(this.#redis, ROOM_LEASE_MS);
  }

  /** Connects, registers, and keeps renewing until `close()`. */
  static async join(options: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(options);
    try {
      await cluster.#redis.connect();
    } catch (error) {
      cluster.#redis.disconnect();
      throw new ClusterUnavailable(
        `cannot reach Redis at ${redact(options.redisUrl)}: ${String(error)}`,
      );
    }
    await cluster.renew();
    // Back from a Redis restart: re-claim our rooms now, not at the next tick (see the grace).
    cluster.#redis.on('ready', () => {
      cluster.renew().catch((error: unknown) => options.onRenewError?.(error));
    });
    // renew() reports its own failures through onRenewError; this catch only keeps lint honest.
    cluster.#timer = setInterval(
      () => cluster.renew().catch((error: unknown) => options.onRenewError?.(error)),
      RENEW_EVERY_MS,
    );
    return cluster;
  }

  get state(): NodeState {
    return this.#state;
  }

  /** Takes no new rooms from now on (SIGTERM); the next renewal tells the other nodes. */
  async drain(): Promise<void> {
    this.#state = 'draining';
    await this.renew();
  }

  /** Renews our lease and our rooms' claims; reports rooms another node now holds. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #renew(): Promise<void> {
    if (this.#closed) return;
    const rooms = [...this.options.localRooms()];
    const record: NodeRecord = {
      id: this.nodeId,
      url: this.options.url,
      state: this.#state,
      peers: rooms.reduce((n, r) => n + r.peers, 0),
      startedAt: this.#startedAt,
    };
    try {
      await this.#registry.renew(record);
      const lost = await this.#claims.renew(
        this.nodeId,
        rooms.map((r) => r.id),
      );
      for (const [roomId, owner] of lost) this.options.onRoomLost(roomId, owner);
    } catch (error) {
      this.options.onRenewError?.(error);
    }
  }

  /**
   * Where `roomId` lives: here, or on another live node. When nobody holds it (or its owner's
   * lease ended), claims it for the least loaded serving node first. Throws ClusterUnavailable
   * when Redis is away or no node can take it before the deadline.
   */
  async route(roomId: string, deadlineMs = ROUTE_DEADLINE_MS): Promise<Route> {
    const giveUp = Date.now() + deadlineMs;
    for (;;) {
      try {
        const route = await this.#tryRoute(roomId);
        if (route) return route;
      } catch (error) {
        if (error instanceof ClusterUnavailable) throw error;
        throw new ClusterUnavailable(`cluster state unavailable: ${String(error)}`);
      }
      if (Date.now() > giveUp) throw new ClusterUnavailable(`no node could take room ${roomId}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** One attempt; undefined means "wait and try again" (re-claim grace, or a lost race). */
  async #tryRoute(roomId: string): Promise<Route | undefined> {
    const owner = await this.#claims.owner(roomId);
    if (owner === this.nodeId) return { local: true };
    if (owner !== undefined) {
      const node = await this.#registry.get(owner);
      if (node) return { local: false, node };
    }
    // Nobody holds it, or its owner died. Right after Redis (re)started, owners re-claim first.
    if ((await this.#registry.epochAge()) < RECLAIM_GRACE_MS) return undefined;
    const target = leastLoaded(await this.#registry.list());
    if (!target) throw new ClusterUnavailable('no serving node');
    const won = await this.#claims.claim(roomId, target.id, owner ?? '');
    if (won === this.nodeId) return { local: true };
    const node = await this.#registry.get(won);
    return node && { local: false, node };
  }

  /** Who holds the room now, without claiming it (undefined: nobody). */
  async ownerOf(roomId: string): Promise<NodeRecord | undefined> {
    const owner = await this.#claims.owner(roomId);
    return owner === undefined ? undefined : this.#registry.get(owner);
  }

  /** A live node's record (undefined once its lease has ended). */
  node(id: string): Promise<NodeRecord | undefined> {
    return this.#registry.get(id);
  }

  /** The live nodes with their load (for /healthz, tests and benchmarks). */
  nodes(): Promise<NodeLoad[]> {
    return this.#registry.list();
  }

  /** Lets go of a room we no longer serve (compare-and-delete). */
  async release(roomId: string): Promise<void> {
    // A renewal already under way may have listed the room before it closed; its script would
    // put the key back (it re-claims keys lost to a Redis restart). Release after it: the next
    // renewal no longer lists the room.
    await this.#renewing;
    await this.#claims.release(roomId, this.nodeId);
  }

  /** Releases every room we serve and our own record, then disconnects. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#renewing;
    try {
      for (const room of this.options.localRooms())
        await this.#claims.release(room.id, this.nodeId);
      await this.#registry.remove(this.nodeId);
      await this.#redis.quit();
    } catch {
      // Redis is away: our keys expire with their leases.
      this.#redis.disconnect();
    }
  }
}

/** The serving node with the lowest load; ties go to a random one so bursts spread. */
export function leastLoaded(nodes: readonly NodeLoad[]): NodeLoad | undefined {
  const serving = nodes.filter((n) => n.state === 'serving');
  const min = Math.min(...serving.map((n) => n.load));
  const best = serving.filter((n) => n.load === min);
  return best[Math.floor(Math.random() * best.length)];
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
