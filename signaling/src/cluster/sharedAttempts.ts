import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Log } from '../telemetry/log.ts';
import { LocalAttempts } from '../util/attempts.ts';
import type { Attempts, AttemptsFactory, AttemptsSpec } from '../util/attempts.ts';

const PREFIX = 'parley:attempts:';

/** How often, at most, a Redis failure is logged (each one falls back to this node's count). */
const WARN_EVERY_MS = 60_000;

// Each script reads and writes one counter atomically, so parallel attempts on several nodes
// cannot all slip under the limit. A window starts with its key's first attempt (INCR to 1
// sets its expiry) and ends with the key, as AttemptLimiter's windows do.

/** KEYS[1]; ARGV: limit, window ms. Returns {counted (1/0), count, ms left}. */
const TAKE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return {0, n, redis.call('PTTL', KEYS[1])} end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, n, redis.call('PTTL', KEYS[1])}`;

/** KEYS[1]. Returns {count, ms left}. */
const PEEK = `
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}`;

/** KEYS[1]. A window that has ended is not brought back by a late forgiveness. */
const FORGIVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n`;

/**
 * Attempts counted in Redis, shared by every node of a cluster. The counters are keyed by a
 * hash of the key (no email or address is stored in Redis). While Redis cannot be reached,
 * each call falls back to this node's own count (LocalAttempts): a limit per node, as before
 * the cluster shared them, rather than no limit or a refusal of everyone.
 */
export class SharedAttempts implements Attempts {
  readonly #local: LocalAttempts;
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly redis: Redis,
    private readonly spec: AttemptsSpec,
    private readonly log: Log,
  ) {
    this.#local = new LocalAttempts(spec);
  }

  retryAfterS(key: string): Promise<number> {
    return this.#shared(
      async () => {
        const [count, ms] = (await this.redis.eval(PEEK, 1, this.#key(key))) as [number, number];
        return count >= this.spec.limit ? waitS(ms) : 0;
      },
      () => this.#local.retryAfterS(key),
    );
  }

  take(key: string): Promise<number> {
    return this.#shared(
      async () => {
        const [counted, , ms] = (await this.#take(key, this.spec.limit)) as [
          number,
          number,
          number,
        ];
        return counted === 1 ? 0 : waitS(ms);
      },
      () => this.#local.take(key),
    );
  }

  record(key: string): Promise<number> {
    return this.#shared(
      async () => ((await this.#take(key, Number.MAX_SAFE_INTEGER)) as [number, number])[1],
      () => this.#local.record(key),
    );
  }

  forgive(key: string): Promise<void> {
    return this.#shared(
      async () => {
        await this.redis.eval(FORGIVE, 1, this.#key(key));
      },
      () => this.#local.forgive(key),
    );
  }

  reset(key: string): Promise<void> {
    return this.#shared(
      async () => {
        await this.redis.del(this.#key(key));
      },
      () => this.#local.reset(key),
    );
  }

  #take(key: string, limit: number): Promise<unknown> {
    return this.redis.eval(TAKE, 1, this.#key(key), limit, this.spec.windowMs);
  }

  #key(key: string): string {
    const hash = createHash('sha256').update(key).digest('base64url').slice(0, 22);
    return `${PREFIX}${this.spec.name}:${hash}`;
  }

  async #shared<T>(shared: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      return await shared();
    } catch (error) {
      const now = Date.now();
      if (now - this.#warnedAt >= WARN_EVERY_MS) {
        this.#warnedAt = now;
        this.log.warn('shared attempt limits unreachable: counting on this node', {
          limit: this.spec.name,
          error: String(error),
        });
      }
      return local();
    }
  }
}

/** Seconds to wait for a window with `ms` left (a counter without expiry waits one second). */
function waitS(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The factory for a cluster node: every limit counted in `redis`. */
export const sharedAttempts =
  (redis: Redis, log: Log): AttemptsFactory =>
  (spec) =>
    new SharedAttempts(redis, spec, log);
