import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.ts';
import { FloodGuard, TokenBucket, peekRid } from './rateLimiter.ts';
import { SerialQueue } from '../util/serialQueue.ts';
import { StaticFiles } from '../http/staticFiles.ts';
import { originAllowed } from './wsServer.ts';

describe('originAllowed', () => {
  const req = (origin: string | undefined, host = 'meet.example:8080') =>
    ({ headers: { origin, host } }) as unknown as IncomingMessage;
  it.each([
    [undefined, [], true],
    ['http://meet.example:8080', [], true],
    ['https://evil.example', [], false],
    ['https://app.example', ['https://app.example'], true],
    ['null', [], false],
    ['http://meet.example:8081', [], false],
  ] as const)('origin %s with allow-list %j -> %s', (origin, allowed, expected) => {
    expect(originAllowed(req(origin), allowed)).toBe(expected);
  });
});

describe('FloodGuard', () => {
  it('drops over the limit and closes after 500 drops in 10 s, even with tokens between', () => {
    let now = 0;
    const guard = new FloodGuard(1, 1, () => now);
    expect(guard.take()).toBe('ok');
    const seen: string[] = [];
    // A flood that gets a token every second: the drops in between still add up.
    for (let i = 0; i < 600 && !seen.includes('close'); i++) {
      now += 9;
      seen.push(guard.take());
    }
    expect(seen.filter((r) => r === 'ok').length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe('close');
    expect(seen.filter((r) => r === 'drop')).toHaveLength(500);
  });

  it('forgets drops after the window', () => {
    let now = 0;
    const guard = new FloodGuard(0.001, 1, () => now);
    guard.take();
    for (let i = 0; i < 400; i++) expect(guard.take()).toBe('drop');
    now += 10_001;
    for (let i = 0; i < 400; i++) expect(guard.take()).toBe('drop');
  });

  it('reads the rid of a frame it will not parse', () => {
    expect(peekRid('{"type":"chat","rid":42,"text":"x"}')).toBe(42);
    expect(peekRid(Buffer.from('{"rid": 7}'))).toBe(7);
    expect(peekRid('{"type":"chat"}')).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now += 100; // one token at 10/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 10_000; // never more than the burst
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, even when they await', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}:end`);
    };
    await Promise.all([q.run(task('a', 20)), q.run(task('b', 1)), q.run(task('c', 5))]);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(q.idle).toBe(true);
  });

  it('keeps going after a task throws', async () => {
    const q = new SerialQueue();
    await expect(q.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(q.run(() => 42)).resolves.toBe(42);
  });
});

describe('StaticFiles.resolve', () => {
  const files = new StaticFiles('/srv/app');
  it.each([
    ['/', '/srv/app/index.html'],
    ['/r/abc', '/srv/app/index.html'],
    ['/watch/abc/', '/srv/app/index.html'],
    ['/assets/a.js', '/srv/app/assets/a.js'],
    ['/../etc/passwd', '/srv/app/etc/passwd'],
    ['/%2e%2e/%2e%2e/etc/passwd', '/srv/app/etc/passwd'],
  ])('%s -> %s', (url, file) => {
    expect(files.resolve(url)).toBe(path.normalize(file));
  });
  it.each(['/%', '/a%00b', '/..%5c..%5cx'])('%s is refused', (url) => {
    expect(files.resolve(url)).toBeUndefined();
  });
});

describe('loadConfig', () => {
  it('has documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      roomMaxPeers: 50,
      heartbeatMs: 15_000,
      turnTtlS: 600,
    });
    expect(c.turn).toBeUndefined();
  });
  it.each([
    [{ PORT: 'x' }, /PORT/],
    [{ TURN_URLS: 'turn:a' }, /TURN_SECRET/],
    [{ ALLOWED_ORIGINS: 'not a url' }, /ALLOWED_ORIGINS/],
    [{ TURN_TTL_S: '5' }, /TURN_TTL_S/],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
