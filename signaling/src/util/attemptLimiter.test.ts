import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from './attemptLimiter.ts';

function limiter(options: { limit?: number; windowMs?: number; maxKeys?: number } = {}) {
  const clock = { t: 1_000_000 };
  const l = new AttemptLimiter({ limit: 5, windowMs: 60_000, ...options, now: () => clock.t });
  return { l, clock };
}

describe('AttemptLimiter', () => {
  it('allows `limit` attempts per window, then says how long to wait', () => {
    const { l, clock } = limiter();
    for (let i = 0; i < 5; i++) {
      expect(l.retryAfterS('a')).toBe(0);
      l.record('a');
    }
    expect(l.retryAfterS('a')).toBe(60);
    clock.t += 30_500;
    expect(l.retryAfterS('a')).toBe(30);
    expect(l.retryAfterS('b')).toBe(0);
  });

  it('opens again when the window ends, with a fresh count', () => {
    const { l, clock } = limiter();
    for (let i = 0; i < 5; i++) l.record('a');
    clock.t += 60_000;
    expect(l.retryAfterS('a')).toBe(0);
    l.record('a');
    expect(l.retryAfterS('a')).toBe(0);
    expect(l.size).toBe(1);
  });

  it('never reports less than a second while blocked', () => {
    const { l, clock } = limiter({ limit: 1 });
    l.record('a');
    clock.t += 59_999;
    expect(l.retryAfterS('a')).toBe(1);
  });

  it('forgets a key on reset and takes back one attempt on forgive', () => {
    const { l } = limiter({ limit: 2 });
    l.record('a');
    l.record('a');
    expect(l.retryAfterS('a')).toBeGreaterThan(0);
    l.forgive('a');
    expect(l.retryAfterS('a')).toBe(0);
    l.forgive('a');
    expect(l.size).toBe(0);
    l.record('b');
    l.record('b');
    l.reset('b');
    expect(l.retryAfterS('b')).toBe(0);
  });

  it('keeps at most maxKeys, evicting the oldest window', () => {
    const { l, clock } = limiter({ limit: 1, maxKeys: 3 });
    for (const key of ['a', 'b', 'c', 'd']) {
      l.record(key);
      clock.t += 1;
    }
    expect(l.size).toBe(3);
    expect(l.retryAfterS('a')).toBe(0); // evicted
    expect(l.retryAfterS('d')).toBeGreaterThan(0);
  });

  it('never lets a flood of fresh keys evict a key at its limit', () => {
    const { l, clock } = limiter({ limit: 2, maxKeys: 3 });
    l.record('room:x');
    l.record('room:x');
    for (let i = 0; i < 1000; i++) {
      l.record(`room:${i}`);
      clock.t += 1;
    }
    expect(l.size).toBe(3);
    expect(l.retryAfterS('room:x')).toBeGreaterThan(0);
  });

  it('frees expired windows before anything else when full', () => {
    const { l, clock } = limiter({ limit: 1, maxKeys: 2 });
    l.record('a');
    clock.t += 60_000;
    l.record('b');
    l.record('c');
    expect(l.size).toBe(2);
    expect(l.retryAfterS('b')).toBeGreaterThan(0);
    expect(l.retryAfterS('c')).toBeGreaterThan(0);
  });

  it('take() checks and counts in one step, so parallel attempts cannot all slip under', () => {
    const { l } = limiter({ limit: 3 });
    const waits = Array.from({ length: 5 }, () => l.take('a'));
    expect(waits.map((w) => w > 0)).toEqual([false, false, false, true, true]);
    expect(l.count('a')).toBe(3);
  });
});
