import { Redis } from 'ioredis';

/**
 * A Redis client that fails fast instead of queueing: while Redis is away, a claim or a
 * lookup must fail at once (the caller answers "try again"), never hang a join. It keeps
 * reconnecting in the background, quickly, so a restarted Redis is seen within a second.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
    lazyConnect: true,
  });
  // Connection errors are expected while Redis restarts; each command reports its own failure.
  redis.on('error', () => undefined);
  return redis;
}
