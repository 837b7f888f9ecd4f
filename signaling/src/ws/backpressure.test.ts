import { describe, expect, it } from 'vitest';
import { BackpressureWatch } from './backpressure.ts';

/** [ms since start, bufferedAmount, expected verdict] with a 100-byte bound and 1 s grace. */
const cases: [string, [number, number, boolean][]][] = [
  [
    'at or below the bound never trips',
    [
      [0, 100, false],
      [5000, 50, false],
      [9000, 0, false],
    ],
  ],
  [
    'above for the whole grace trips',
    [
      [0, 101, false],
      [999, 5000, false],
      [1000, 200, true],
    ],
  ],
  [
    'dropping below restarts the grace',
    [
      [0, 500, false],
      [900, 50, false],
      [1000, 500, false],
      [1999, 500, false],
      [2000, 500, true],
    ],
  ],
  [
    'one spike passes',
    [
      [0, 10_000, false],
      [10, 0, false],
      [5000, 0, false],
    ],
  ],
];

describe('BackpressureWatch', () => {
  it.each(cases)('%s', (_name, steps) => {
    let t = 0;
    const watch = new BackpressureWatch(100, 1000, () => t);
    for (const [at, buffered, verdict] of steps) {
      t = at;
      expect(watch.tooSlow(buffered), `at ${at} ms with ${buffered} bytes`).toBe(verdict);
    }
  });

  it('a zero grace trips on the first reading above the bound', () => {
    const watch = new BackpressureWatch(100, 0, () => 0);
    expect(watch.tooSlow(100)).toBe(false);
    expect(watch.tooSlow(101)).toBe(true);
  });
});
