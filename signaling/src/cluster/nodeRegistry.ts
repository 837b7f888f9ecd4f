import type { Redis } from 'ioredis';
import { KEYS } from './keys.ts';

export type NodeState = 'serving' | 'draining';

/** What a node says about itself in Redis (renewed with its lease). */
export interface NodeRecord {
  id: string;
  /** Where the other nodes (and, when routing by redirect, clients) reach it. */
  url: string;
  state: NodeState;
  /** Admitted peers across its rooms, as of its last renewal. */
  peers: number;
  startedAt: number;
}

/** A node as placement sees it: its record and the rooms it holds. */
export interface NodeLoad extends NodeRecord {
  rooms: number;
  /** The figure placement minimises: rooms held + peers / 4 (see docs/ARCHITECTURE.md). */
  load: number;
}

export const loadOf = (rooms: number, peers: number): number => rooms + peers / 4;

/**
 * The cluster's nodes in Redis. Each node writes its record with a lease (PX) and renews it;
 * a node that dies disappears by itself when the lease ends. A sorted set indexes the live
 * nodes by lease end so listing never scans the keyspace, and listing prunes what expired.
 */
export class NodeRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Writes (or rewrites, after a Redis restart) our record and lease. Also writes the epoch
   * when this Redis has none, which starts the re-claim grace (see KEYS.epoch).
   */
  async renew(record: NodeRecord): Promise<void> {
    const now = this.now();
    await this.redis
      .multi()
      .set(KEYS.node(record.id), JSON.stringify(record), 'PX', this.leaseMs)
      .zadd(KEYS.nodes, now + this.leaseMs, record.id)
      .set(KEYS.epoch, String(now), 'NX')
      .exec();
  }

  async get(id: string): Promise<NodeRecord | undefined> {
    const text = await this.redis.get(KEYS.node(id));
    return text ? parseRecord(text) : undefined;
  }

  /** Every live node with its room count and load, pruning the index of dead ones. */
  async list(): Promise<NodeLoad[]> {
    const now = this.now();
    const ids = await this.redis.zrangebyscore(KEYS.nodes, now, '+inf');
    const dead = await this.redis.zrangebyscore(KEYS.nodes, '-inf', now);
    if (dead.length > 0) await this.forget(dead);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => KEYS.node(id)));
    const counts = await this.redis.zmscore(KEYS.roomCounts, ...ids);
    const nodes: NodeLoad[] = [];
    texts.forEach((text, i) => {
      const record = text ? parseRecord(text) : undefined;
      if (!record) return;
      const rooms = Math.max(0, Number(counts[i] ?? 0));
      nodes.push({ ...record, rooms, load: loadOf(rooms, record.peers) });
    });
    return nodes;
  }

  /** Milliseconds since this Redis started serving the cluster (Infinity if unknown). */
  async epochAge(): Promise<number> {
    const epoch = await this.redis.get(KEYS.epoch);
    return epoch === null ? Number.POSITIVE_INFINITY : this.now() - Number(epoch);
  }

  /** Removes our record at a clean exit, so nobody waits for our lease to end. */
  async remove(id: string): Promise<void> {
    await this.redis
      .multi()
      .del(KEYS.node(id))
      .zrem(KEYS.nodes, id)
      .zrem(KEYS.roomCounts, id)
      .exec();
  }

  private async forget(ids: string[]): Promise<void> {
    await this.redis
      .multi()
      .zrem(KEYS.nodes, ...ids)
      .zrem(KEYS.roomCounts, ...ids)
      .exec();
  }
}

function parseRecord(text: string): NodeRecord | undefined {
  try {
    const v = JSON.parse(text) as Partial<NodeRecord>;
    if (typeof v.id !== 'string' || typeof v.url !== 'string') return undefined;
    return {
      id: v.id,
      url: v.url,
      state: v.state === 'draining' ? 'draining' : 'serving',
      peers: typeof v.peers === 'number' ? v.peers : 0,
      startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0,
    };
  } catch {
    return undefined; // a damaged record is a node we cannot route to
  }
}
