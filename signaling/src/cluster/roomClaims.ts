import type { Redis } from 'ioredis';
import { KEYS } from './keys.ts';

/** Claim for `owner` when nobody holds the room (or `dead` does), counting the room. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[3] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if current and redis.call('ZSCORE', KEYS[2], current) then
  redis.call('ZINCRBY', KEYS[2], -1, current)
end
redis.call('ZINCRBY', KEYS[2], 1, ARGV[1])
return ARGV[1]`;

/**
 * Renew our lease; re-claim a room whose key vanished (Redis restarted); report the owner
 * when someone else holds it, so we stop serving it. (The room count is set whole after a
 * renewal, not here.)
 */
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return ARGV[1] end
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/** Compare-and-delete: only the owner releases, never a node that lost the room. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZINCRBY', KEYS[2], -1, ARGV[1])
  return 1
end
return 0`;

/**
 * Which node holds which room, in Redis: claimed atomically (SET only if free, or taken over
 * from a node whose lease is gone), renewed by the owner, released with compare-and-delete.
 * Each claim and release also moves the owner's room count, which placement reads.
 */
/** The scripts as Redis commands: sent once, then called by their SHA1 (EVALSHA). */
interface ClaimCommands {
  parleyClaim(
    room: string,
    counts: string,
    node: string,
    ttl: number,
    dead: string,
  ): Promise<string>;
  parleyRenew(room: string, node: string, ttl: number): Promise<string>;
  parleyRelease(room: string, counts: string, node: string): Promise<number>;
}
type ClaimsRedis = Redis & ClaimCommands;
type ClaimsPipeline = ReturnType<Redis['pipeline']> & {
  parleyRenew(room: string, node: string, ttl: number): ClaimsPipeline;
};

/**
 * Which node holds which room, in Redis: claimed atomically (SET only if free, or taken over
 * from a node whose lease is gone), renewed by the owner, released with compare-and-delete.
 * Each claim and release also moves the owner's room count, which placement reads.
 */
export class RoomClaims {
  readonly #redis: ClaimsRedis;

  constructor(
    redis: Redis,
    private readonly ttlMs: number,
  ) {
    redis.defineCommand('parleyClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('parleyRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('parleyRelease', { numberOfKeys: 2, lua: RELEASE });
    this.#redis = redis as ClaimsRedis;
  }

  /** The owner's id, or undefined when nobody holds the room. */
  async owner(roomId: string): Promise<string | undefined> {
    return (await this.#redis.get(KEYS.room(roomId))) ?? undefined;
  }

  /**
   * Claims the room for `nodeId` if it is free, or held by `deadOwner` (a node whose lease
   * ended). Returns whoever holds it afterwards: `nodeId` when the claim won.
   */
  async claim(roomId: string, nodeId: string, deadOwner = ''): Promise<string> {
    const room = KEYS.room(roomId);
    return String(
      await this.#redis.parleyClaim(room, KEYS.roomCounts, nodeId, this.ttlMs, deadOwner),
    );
  }

  /**
   * Renews every room `nodeId` serves, in one round trip. Returns the rooms now held by
   * another node (the caller must stop serving them).
   */
  async renew(nodeId: string, roomIds: readonly string[]): Promise<Map<string, string>> {
    const batch = this.#redis.pipeline() as ClaimsPipeline;
    for (const id of roomIds) batch.parleyRenew(KEYS.room(id), nodeId, this.ttlMs);
    // The count is what we serve now: claims made for us that no client followed lapse here.
    batch.zadd(KEYS.roomCounts, roomIds.length, nodeId);
    const results = (await batch.exec()) ?? [];
    const lost = new Map<string, string>();
    results.slice(0, roomIds.length).forEach(([error, owner], i) => {
      if (error) throw error;
      if (owner !== nodeId) lost.set(roomIds[i] as string, String(owner));
    });
    return lost;
  }

  /** Releases the room if `nodeId` still holds it; true when it did. */
  async release(roomId: string, nodeId: string): Promise<boolean> {
    return (await this.#redis.parleyRelease(KEYS.room(roomId), KEYS.roomCounts, nodeId)) === 1;
  }
}
