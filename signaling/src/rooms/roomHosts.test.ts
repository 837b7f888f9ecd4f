import { describe, expect, it } from 'vitest';
import type { Role } from '@parley/protocol';
import { successor } from './roomHosts.ts';

/** A peer as `successor` sees it: `a+` is a connected guest `a`, `b-` a dropped co-host `b`. */
function people(spec: string): { name: string; role: Role; connected: boolean }[] {
  return spec.split(' ').map((p) => ({
    name: p.slice(0, -1).toLowerCase(),
    role: p[0] === p[0]?.toUpperCase() ? 'cohost' : 'guest',
    connected: p.endsWith('+'),
  }));
}

describe('successor', () => {
  it.each([
    ['the longest-present co-host', 'a+ B+ C+', 'b'],
    ['else the longest-present person', 'a+ b+', 'a'],
    ['connected people first', 'A- b+ C+', 'c'],
    ['a connected guest before a dropped co-host', 'A- b+', 'b'],
    ['dropped people when nobody is connected', 'a- B-', 'b'],
  ])('%s', (_, spec, expected) => {
    expect(successor(people(spec))?.name).toBe(expected);
  });

  it('nobody in an empty meeting', () => {
    expect(successor([])).toBeUndefined();
  });
});
