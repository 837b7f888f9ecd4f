import { describe, expect, it } from 'vitest';
import type { RoomId } from '@parley/protocol';
import { PasswordTries } from './passwordTries.ts';

const room = 'R'.repeat(22) as RoomId;
const tries = () =>
  new PasswordTries({ perRoomAddress: 3, perAddress: 5, perRoom: 4, windowMs: 60_000 });

describe('PasswordTries', () => {
  it('counts each try before it is checked, per room and address', () => {
    const t = tries();
    expect([1, 2, 3, 4].map(() => t.take(room, 'a', true) > 0)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(t.take(room, 'b', true)).toBe(0);
  });

  it('a flood of made-up room ids leaves a real room full', () => {
    const t = tries();
    for (const a of ['a', 'b', 'c', 'd']) t.take(room, a, true);
    for (let i = 0; i < 20_000; i++) t.take(`x${i}` as RoomId, `flood${i}`, false);
    // Full: an address that already failed here waits ...
    expect(t.take(room, 'a', true)).toBeGreaterThan(0);
    // ... a first try does not.
    expect(t.take(room, 'e', true)).toBe(0);
  });

  it('forgive gives a right (or unchecked) try back', () => {
    const t = tries();
    for (let i = 0; i < 3; i++) t.take(room, 'a', true);
    t.forgive(room, 'a', true);
    expect(t.take(room, 'a', true)).toBe(0);
  });
});
