import { describe, expect, it } from 'vitest';
import { retryDelay } from './SignalingClient.ts';

describe('retryDelay', () => {
  it.each([
    [0, 0, 250],
    [0, 1, 500],
    [1, 0, 500],
    [1, 1, 1_000],
    [2, 0.5, 1_500],
    [3, 1, 4_000],
    [4, 1, 8_000],
  ])('attempt %i with jitter %f waits %i ms', (attempt, random, delay) => {
    expect(retryDelay(attempt, random)).toBe(delay);
  });

  it.each([5, 10, 50])('attempt %i is capped at 8 s (4 s with no jitter)', (attempt) => {
    expect(retryDelay(attempt, 1)).toBe(8_000);
    expect(retryDelay(attempt, 0)).toBe(4_000);
  });

  it('the longest wait never shrinks from one attempt to the next', () => {
    for (let attempt = 1; attempt < 12; attempt++) {
      expect(retryDelay(attempt, 1)).toBeGreaterThanOrEqual(retryDelay(attempt - 1, 1));
    }
  });

  it('stays between half and all of the ceiling with a random jitter', () => {
    for (let i = 0; i < 50; i++) {
      const delay = retryDelay(2);
      expect(delay).toBeGreaterThanOrEqual(1_000);
      expect(delay).toBeLessThanOrEqual(2_000);
    }
  });
});
