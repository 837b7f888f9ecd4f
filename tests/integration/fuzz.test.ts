import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@parley/protocol';
import { TestClient, eventually } from './support/client.ts';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

/** A small seeded PRNG so a failure can be replayed (the seed is in the test name). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  'hello',
  'join',
  'leave',
  'signal',
  'chat',
  'chat-sync',
  'media',
  'ping',
  'nope',
  '',
];
const VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  '',
  'x',
  '👩‍💻',
  [],
  {},
  { a: 1 },
  '\u0000',
  'A'.repeat(22),
];

/** One malformed message: random bytes, broken JSON, or a real message shape with a bad field. */
function malformed(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  switch (Math.floor(next() * 4)) {
    case 0:
      return Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
        String.fromCharCode(Math.floor(next() * 0xd7ff)),
      ).join('');
    case 1:
      return JSON.stringify({ type: pick(TYPES), rid: 1 }).slice(0, Math.floor(next() * 15));
    case 2:
      return JSON.stringify({
        type: pick(TYPES),
        [pick(['to', 'data', 'text', 'roomId', 'since'])]: pick(VALUES),
      });
    default:
      return JSON.stringify(pick(VALUES));
  }
}

describe('malformed input', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimit: { perSec: 1_000_000, burst: 1_000_000 } });
  });
  afterAll(() => server.dispose());

  it('answers 10,000 random or malformed messages (seed 1234) with typed errors and stays up', async () => {
    const next = rng(1234);
    const { id } = await server.createRoom();
    const c = await TestClient.ready(server.url);
    await c.join(id, 'fuzzer');
    const before = c.received.length;
    const total = 10_000;
    for (let i = 0; i < total; i++) c.send(malformed(next));
    await c.request({ type: 'ping' }); // in-order: every earlier frame has been answered
    const replies = c.received.slice(before);
    const errors = replies.filter((m) => m.type === 'error');
    const codes = new Set<string>(errors.map((e) => (e.type === 'error' ? e.code : '')));
    expect(c.invalid).toEqual([]);
    // Every frame is answered; a few random ones may be valid by chance (a ping, a leave).
    expect(errors.length).toBeGreaterThanOrEqual(total * 0.98);
    for (const code of codes) expect(Object.values(ERROR_CODES)).toContain(code);
    expect(codes.has(ERROR_CODES.INTERNAL)).toBe(false);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const fresh = await TestClient.ready(server.url);
    const room2 = await server.createRoom();
    expect((await fresh.join(room2.id, 'after fuzz')).type).toBe('joined');
    await Promise.all([c.close(), fresh.close()]);
  });

  it('survives binary frames and invalid UTF-8 (closed with 1007)', async () => {
    const c = await TestClient.ready(server.url);
    c.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    await eventually(() => c.of('error').length === 1);
    expect(c.of('error')[0]).toMatchObject({ code: ERROR_CODES.BAD_MESSAGE });
    c.ws.send(Buffer.from([0xc3, 0x28]), { binary: false });
    expect((await c.closed).code).toBe(1007);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
