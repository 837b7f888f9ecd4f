import { describe, expect, it } from 'vitest';
import type { Role } from '@parley/protocol';
import { higherRole, LeftLately, sameBrowser } from './seats.ts';

const WINDOW_MS = 30_000;
const browser = (guestId: string | undefined, role: Role = 'guest') => ({
  identity: { guestId },
  role,
});

describe('higherRole', () => {
  it.each([
    ['guest', 'guest', 'guest'],
    ['guest', 'cohost', 'cohost'],
    ['cohost', 'guest', 'cohost'],
    ['host', 'cohost', 'host'],
    ['cohost', 'host', 'host'],
  ] as const)('%s and %s: %s', (a, b, higher) => {
    expect(higherRole(a, b)).toBe(higher);
  });
});

describe('sameBrowser', () => {
  const admitted = [browser('a'), browser(undefined), browser('b', 'cohost')];

  it('finds the admitted peer with the same guest id', () => {
    expect(sameBrowser(browser('b'), admitted)).toBe(admitted[2]);
    expect(sameBrowser(browser('c'), admitted)).toBeUndefined();
  });

  it('never matches a joiner without a guest id', () => {
    expect(sameBrowser(browser(undefined), admitted)).toBeUndefined();
  });
});

describe('LeftLately', () => {
  let now = 0;
  const clock = () => now;

  it('lets a browser back within the window, once, with its higher role', () => {
    const left = new LeftLately(WINDOW_MS, clock);
    left.noteLeft(browser('a', 'cohost'));
    now += WINDOW_MS;
    const joiner = browser('a');
    expect(left.backSoon(joiner)).toBe(true);
    expect(joiner.role).toBe('cohost');
    expect(left.backSoon(browser('a'))).toBe(false);
  });

  it('not after the window, nor when the window is 0, nor without a guest id', () => {
    const left = new LeftLately(WINDOW_MS, clock);
    left.noteLeft(browser('a'));
    now += WINDOW_MS + 1;
    expect(left.backSoon(browser('a'))).toBe(false);
    const never = new LeftLately(0, clock);
    never.noteLeft(browser('a'));
    expect(never.backSoon(browser('a'))).toBe(false);
    left.noteLeft(browser(undefined));
    expect(left.backSoon(browser(undefined))).toBe(false);
  });

  it('forgets the oldest beyond its bound', () => {
    const left = new LeftLately(WINDOW_MS, clock);
    for (let i = 0; i <= 1_000; i++) left.noteLeft(browser(`g${i}`));
    expect(left.backSoon(browser('g0'))).toBe(false);
    expect(left.backSoon(browser('g1'))).toBe(true);
    expect(left.backSoon(browser('g1000'))).toBe(true);
  });
});
