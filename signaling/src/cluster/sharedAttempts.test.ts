// Attempts shared by a cluster's nodes, against a real redis-server: what one node counts
// another refuses, a window ends, no email is stored, and without Redis each node still limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startRedis } from '../../../deploy/local/redis.ts';
import type { LocalRedis } from '../../../deploy/local/redis.ts';
import { quietLog } from '../telemetry/log.ts';
import { connectRedis } from './redis.ts';
import { sharedAttempts } from './sharedAttempts.ts';

let redis: LocalRedis;
const clients: Redis[] = [];

/** A node's factory: its own connection to the shared Redis. */
async function node() {
  const client = connectRedis(redis.url);
  await client.connect();
  clients.push(client);
  return { client, attempts: sharedAttempts(client, quietLog) };
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

describe('attempts shared through Redis', () => {
  it('refuses on one node what the others counted, until the window ends', async () => {
    const [a, b] = [await node(), await node()];
    const spec = { name: 'test-window', limit: 3, windowMs: 1_500 };
    const onA = a.attempts(spec);
    const onB = b.attempts(spec);
    expect(await onA.take('ada@example.test')).toBe(0);
    expect(await onB.take('ada@example.test')).toBe(0);
    expect(await onA.record('ada@example.test')).toBe(3);
    // The limit is reached whichever node is asked; another key is not touched.
    expect(await onB.take('ada@example.test')).toBeGreaterThan(0);
    expect(await onA.retryAfterS('ada@example.test')).toBeGreaterThan(0);
    expect(await onB.retryAfterS('bo@example.test')).toBe(0);
    await new Promise((r) => setTimeout(r, 1_600));
    expect(await onB.take('ada@example.test')).toBe(0);
  });

  it('forgives and resets for every node', async () => {
    const [a, b] = [await node(), await node()];
    const spec = { name: 'test-forgive', limit: 2, windowMs: 60_000 };
    const onA = a.attempts(spec);
    const onB = b.attempts(spec);
    await onA.record('key');
    await onA.record('key');
    expect(await onB.retryAfterS('key')).toBeGreaterThan(0);
    await onB.forgive('key');
    expect(await onA.retryAfterS('key')).toBe(0);
    expect(await onA.record('key')).toBe(2);
    await onB.reset('key');
    expect(await onA.record('key')).toBe(1);
    // A forgiveness after the window has ended does not bring a counter back.
    await onA.reset('key');
    await onB.forgive('key');
    expect(await onA.record('key')).toBe(1);
  });

  it('keys its counters by a hash: no email in Redis, and every counter expires', async () => {
    const { client, attempts } = await node();
    await attempts({ name: 'test-keys', limit: 5, windowMs: 60_000 }).record('ada@example.test');
    const keys = await client.keys('parley:attempts:test-keys:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('ada');
    expect(await client.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it("limits on each node's own count while Redis is down", async () => {
    const { attempts } = await node();
    const limited = attempts({ name: 'test-down', limit: 2, windowMs: 60_000 });
    await redis.stop();
    try {
      expect(await limited.take('ada')).toBe(0);
      expect(await limited.take('ada')).toBe(0);
      expect(await limited.take('ada')).toBeGreaterThan(0);
    } finally {
      await redis.start();
    }
  });
});
