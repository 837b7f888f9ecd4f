import { describe, expect, it } from 'vitest';
import { levelOf } from './micLevel.ts';

/** `n` samples of a sine of peak `amplitude`. */
const sine = (amplitude: number, n = 1024) =>
  Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * i) / 32));

describe('levelOf', () => {
  it.each([
    ['no samples', [], 0],
    ['silence', new Array<number>(512).fill(0), 0],
    [
      'a full-scale square wave (0 dBFS)',
      Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1)),
      100,
    ],
    [
      'a square wave at -30 dBFS',
      Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1) * 10 ** -1.5),
      50,
    ],
    ['noise below the floor (-80 dBFS)', new Array<number>(64).fill(1e-4), 0],
    ['clipping beyond full scale', new Array<number>(64).fill(2), 100],
  ])('%s reads %i', (_what, samples, level) => {
    expect(levelOf(samples)).toBe(level);
  });

  it('grows with the loudness', () => {
    const levels = [0.001, 0.01, 0.1, 0.5].map((a) => levelOf(sine(a)));
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(new Set(levels).size).toBe(levels.length);
  });
});
